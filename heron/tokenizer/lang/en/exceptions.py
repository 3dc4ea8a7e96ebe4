"""English special cases: contractions, informal forms and abbreviations.

Contractions follow the Penn Treebank / Universal Dependencies split used by
English-EWT: "don't" -> "do" "n't", "can't" -> "ca" "n't", "I'm" -> "I" "'m",
"gonna" -> "gon" "na", "cannot" -> "can" "not", apostrophe-less "dont" -> "do" "nt".
Each form is generated for the straight (') and curly (’) apostrophe and in lower,
Title and UPPER case. Abbreviations keep their final period ("Dr.", "e.g.", "U.S.").
"""
from __future__ import annotations

from typing import Dict, List

Exc = Dict[str, List[Dict[str, str]]]

PRONOUNS = ["i", "you", "he", "she", "it", "we", "they", "that", "there", "here", "what",
            "who", "where", "how", "when", "why", "this", "let", "y'", "somebody", "someone",
            "something", "everyone", "everybody", "everything", "nobody", "nothing"]
# clitic -> NORM
CLITICS = {"'m": "am", "'s": "'s", "'re": "are", "'ve": "have", "'ll": "will", "'d": "'d"}
# Verbs taking "n't": base -> the stem that "n't" is split from.
NEGATED = {"do": "do", "does": "does", "did": "did", "is": "is", "are": "are", "was": "was",
           "were": "were", "has": "has", "have": "have", "had": "had", "could": "could",
           "would": "would", "should": "should", "must": "must", "might": "might",
           "need": "need", "dare": "dare", "ought": "ought", "can": "ca", "will": "wo",
           "shall": "sha", "ai": "ai"}
# Modals taking "'ve" ("would've" -> "would" "'ve", "wouldn't've" -> "would" "n't" "'ve"),
# as in spaCy and EWT.
MODALS_HAVE = ["could", "might", "must", "should", "would"]
# Apostrophe-less spellings common in web text: surface -> pieces.
NO_APOSTROPHE = {
    "dont": ["do", "nt"], "doesnt": ["does", "nt"], "didnt": ["did", "nt"], "isnt": ["is", "nt"],
    "arent": ["are", "nt"], "wasnt": ["was", "nt"], "werent": ["were", "nt"],
    "hasnt": ["has", "nt"], "havent": ["have", "nt"], "hadnt": ["had", "nt"],
    "couldnt": ["could", "nt"], "wouldnt": ["would", "nt"], "shouldnt": ["should", "nt"],
    "cant": ["ca", "nt"], "wont": ["wo", "nt"], "aint": ["ai", "nt"], "im": ["i", "m"],
    "ive": ["i", "ve"], "youre": ["you", "re"], "youve": ["you", "ve"], "youll": ["you", "ll"],
    "theyre": ["they", "re"], "thats": ["that", "s"], "whats": ["what", "s"],
    "theres": ["there", "s"], "hes": ["he", "s"], "cannot": ["can", "not"],
    "gonna": ["gon", "na"], "wanna": ["wan", "na"], "gotta": ["got", "ta"],
    "gimme": ["gim", "me"], "lemme": ["lem", "me"], "sorta": ["sort", "a"],
"outta": ["out", "ta"], "dunno": ["du", "n", "no"], "alot": ["a", "lot"],
}
NORMS = {"n't": "not", "nt": "not", "ca": "can", "wo": "will", "sha": "shall", "ai": "be",
         "gon": "going", "na": "to", "wan": "want", "ta": "to", "gim": "give", "lem": "let",
         "m": "am", "ve": "have", "re": "are", "ll": "will", "'m": "am", "'re": "are",
         "'ve": "have", "'ll": "will"}

ABBREVIATIONS = """
Mr. Mrs. Ms. Dr. Drs. Prof. Sr. Jr. St. Ste. Mt. Ft. Pt. Rd. Ave. Blvd. Hwy. Rte.
Gen. Gov. Sen. Sens. Rep. Reps. Rev. Hon. Pres. Capt. Col. Cpl. Lt. Maj. Sgt. Adm. Cmdr.
Inc. Ltd. Co. Corp. Bros. Assn. Dept. Univ. Inst. Intl. Natl. Govt. Est. Attn. Ref.
Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.
Mon. Tue. Tues. Wed. Thu. Thur. Thurs. Fri. Sat. Sun.
a.m. p.m. A.M. P.M. e.g. i.e. E.G. I.E. eg. ie. vs. v. viz. cf. ca. approx. appt. apt. dept.
est. fig. figs. inc. ltd. misc. no. nos. No. Nos. pp. p. vol. vols. ed. eds. al. ft. lbs.
mins. hrs. sec. secs. tel. ext. max. min. avg. ave. oz. pg. yr. yrs. mo. wk. wks.
U.S. U.S.A. U.K. U.N. E.U. D.C. L.A. N.Y. N.J. T.V. P.S. P.O. M.D. Ph.D. B.A. M.A. B.S.
M.S. J.D. R.N. A.D. B.C. F.O.B. U.S.S.R. S.F. Mass. Calif. Fla. Tex. Wash. Ill. Penn. Ariz.
Ala. Ark. Colo. Conn. Del. Ga. Ind. Kan. Ky. La. Md. Mich. Minn. Miss. Mo. Mont. Neb.
Nev. Okla. Ore. Pa. Tenn. Va. Vt. Wis. Wyo.
w/o W/o W/O w/out b/c B/C PS. PVT. Pvt. LTD. Sts. Spec. Arrv. arrv. Ass't. o.k. O.K. Yahoo! Ph.D C++ c++ C# F# .NET
""".split()


def _case_variants(pieces: List[str]) -> List[List[str]]:
    """lower, Title (first piece capitalised) and UPPER variants of a split."""
    title = [pieces[0][:1].upper() + pieces[0][1:]] + pieces[1:]
    upper = [p.upper() for p in pieces]
    return [pieces, title, upper]


def _add(exc: Exc, pieces: List[str]) -> None:
    for variant in _case_variants(pieces):
        string = "".join(variant)
        tokens = []
        for piece, orig in zip(variant, pieces):
            attrs = {"ORTH": piece}
            norm = NORMS.get(orig.replace("’", "'"))  # curly forms share the straight norms
            if norm is not None and len(pieces) > 1:
                attrs["NORM"] = norm
            tokens.append(attrs)
        exc.setdefault(string, tokens)


def _contractions(exc: Exc) -> None:
    for apos in ("'", "’"):
        for pron in PRONOUNS:
            pron = pron.replace("'", apos)
            for clitic in CLITICS:
                _add(exc, [pron, clitic.replace("'", apos)])
        for verb, stem in NEGATED.items():
            _add(exc, [stem, "n" + apos + "t"])
        for modal in MODALS_HAVE:
            _add(exc, [modal, apos + "ve"])
            _add(exc, [modal, "n" + apos + "t", apos + "ve"])
        for pron in ("i", "you", "he", "she", "it", "we", "they"):
            for clitic in ("'d", "'ll"):
                _add(exc, [pron, clitic.replace("'", apos), "'ve".replace("'", apos)])
        _add(exc, ["y" + apos, "all"])
        _add(exc, ["ma" + apos + "am"])
        _add(exc, ["o" + apos + "clock"])
        _add(exc, [apos + "cause"])
        _add(exc, [apos + "em"])
        _add(exc, [apos + "til"])
        _add(exc, ["I", apos + "m", "a"])
        _add(exc, ["#", apos + "s"])
    for modal in MODALS_HAVE:
        _add(exc, [modal, "ve"])
    for surface, pieces in NO_APOSTROPHE.items():
        assert "".join(pieces) == surface, surface
        _add(exc, pieces)


def english_exceptions() -> Exc:
    """Fresh dict of the English special cases (safe to modify)."""
    exc: Exc = {}
    _contractions(exc)
    for abbr in ABBREVIATIONS:
        exc.setdefault(abbr, [{"ORTH": abbr}])
        if abbr[0].islower() and "." not in abbr[:-1]:
            exc.setdefault(abbr[0].upper() + abbr[1:], [{"ORTH": abbr[0].upper() + abbr[1:]}])
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        exc.setdefault(letter + ".", [{"ORTH": letter + "."}])
    return exc
