"""English prefix/suffix/infix rules: the neutral rules adapted to UD English-EWT.

Differences from the neutral rules (each follows the EWT/Penn conventions, checked on
the EWT train/dev splits):
- runs of one punctuation character are one token ("!!!", "<<", "--", "''"), except
  brackets, double quotes and asterisks, which split one character at a time as in spaCy
  ("((a))" -> "(" "(" "a" ")" ")", "**bold**" -> "*" "*" "bold" "*" "*"; a chunk of
  asterisks alone, "*****", stays one token as in EWT); mixed runs of
  sentence punctuation are one token ("?!", ".?", "!!!?") unless the dot ends an
  abbreviation or initialism ("U.K.!" -> "U.K." "!");
- hyphens between words split ("center-north" -> "center" "-" "north") except after
  a bound prefix or a single letter ("e-mail", "non-stop", "re-read", "T-shirt");
- a hyphen glued to the start or end of a word is a dash ("-Mary", "wonderfully-",
  "-$5" -> "-" "$" "5"); "--" runs and emoticons ("-_-") are unaffected;
- digits: ranges split ("5-10", "1969-1970", "$10-$20"), phone numbers, ZIP+4 codes and
  dates stay ("713-853-3989", "555-0142", "8-7-01", "01-Feb-02"); "7:30PM" -> "7:30"
  "PM"; magnitudes and units split from numbers ("3.8bn", "40K", "60Hz", "20mins") but
  "3G"/"4G" stay; bound prefixes keep numbers ("mid-1980s");
- an ellipsis splits from a following "?"/"!" ("...?" -> "..." "?"), one dot does not
  (".?"); grades split ("A+" -> "A" "+"), "C++"/"C#" stay; a double quote or bracket
  glued between words splits ('the"best"one', "x.pdf)(See");
- slashes split between words of two letters or more ("and/or"), not in "w/o", "b/c",
  dates or fractions; colons and "=" split inside a chunk only before a URL or an e-mail
  address ("see:http://x.org", "Email:jo@x.org"; "mailto:jo@x.org" stays), as does "#";
- "'s" stays on numbers ("60's"), quotes stay on decade years ("'72").
"""
from __future__ import annotations

from ...char_classes import (
    ALPHA,
    ALPHA_LOWER,
    ALPHA_UPPER,
    CONCAT_QUOTES,
    CURRENCY,
    HYPHENS,
    LIST_CURRENCY,
    LIST_ELLIPSES,
    LIST_ICONS,
    LIST_PUNCT,
    LIST_QUOTES,
    UNITS,
)

# A hyphen after one of these at the start of a word does not split it ("e-mail").
BOUND_PREFIXES = """
anti arch bi co counter cross de e ex extra hyper inter intra macro mega micro mid mis
multi neo non over post pre pro pseudo psycho quasi re semi socio sub super trans tri
ultra un uni
""".split()

_bound = "".join(rf"(?<!\b{p})(?<!\b{p.title()})(?<!\b{p.upper()})" for p in BOUND_PREFIXES)
_single_letter = rf"(?<!\b[{ALPHA}])"
_PUNCT_NO_HASH = [p for p in LIST_PUNCT if p not in ("#",)]
# Quotes that do not split before a two-digit year: "'72", "’90s".
_QUOTES = [q + r"(?![0-9]{2}(?:s\b|\b))" if q in (r"\'", "’", "‘") else q for q in LIST_QUOTES]

# Characters that never form a run: brackets, double quotes and asterisks split one by
# one as in spaCy, so patterns and counts see single "(" and "*" tokens. Straight and
# curly apostrophes and backticks still run ("``" and "''" are Penn's quotes).
_SINGLES = r"()\[\]{}\"“”„«»‘´‚*"
# One repeated punctuation character.
RUN = rf"(?P<run>[^\w\s{_SINGLES}]|_)(?P=run)+"
# Runs of sentence punctuation ("?!", ".?"); the dot stays with an initialism ("U.K.!").
SENTENCE_RUN = r"(?:(?<!\.)(?<!\.[A-Za-z])\.|:)?[!?][.!?]*"
# A chunk made only of asterisks (a separator line "*****", a footnote mark "**") stays one
# token, as in EWT; glued to a word they split ("**bold**"). spaCy splits both.
ASTERISKS_ONLY = r"\*{2,}$"
RUNS = [ASTERISKS_ONLY, RUN, SENTENCE_RUN, "‘’", "’’"]

# Where a URL or an e-mail address starts (after glued punctuation): a scheme, "www.",
# or "name@host.". Punctuation glued before one splits off ("see:http://x.org",
# "Email:jo@x.org", "#www.x.org"); the tokenizer keeps the rest whole as a URL.
# "mailto:" is part of its URL, as in EWT.
URL_START = r"(?:[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://|www\d{0,3}\.|[\w.+\-]+@[^\W_][\w\-]*\.)"
GLUED_BEFORE_URL = rf"(?<=[{ALPHA}0-9])(?<![mM][aA][iI][lL][tT][oO])[:<>=|'‘’“”](?={URL_START})"

# A hyphen glued to the start or end of a word is a dash, not a word-internal hyphen:
# "-Mary", "-5", "-$1,234" (minus before currency) and "wonderfully-", "socio-" split.
DASH_BEFORE = rf"-(?=[{ALPHA}0-9]|(?:{CURRENCY}))"
DASH_AFTER = rf"(?<=[{ALPHA}0-9])-"

# Magnitude abbreviations glued to a number split like units: "$3.8bn", "15MM",
# "40K", "2.7M", "$401b". T and G stay ("3G", "4G" are names, not amounts).
MAGNITUDES = r"(?<=[0-9])(?:bn|BN|MM|[MKb])"

PREFIXES = (
    RUNS + ["§", "%", "=", "—", "–", r"\+(?![0-9])", DASH_BEFORE, r"#(?![A-Za-z])", rf"#(?={URL_START})", r"@(?=[0-9])",
            r"[wW]/(?=[{a}])".format(a=ALPHA)]
    + _PUNCT_NO_HASH + LIST_ELLIPSES + _QUOTES + LIST_CURRENCY + LIST_ICONS
)

SUFFIXES = (
    [RUN, SENTENCE_RUN, "’’", "‘’"]
    + [r":-?[()DPp]", r";-?\)"]  # emoticons glued to a word: "family:)"
    + [DASH_AFTER]
    + _PUNCT_NO_HASH + [r"(?<![0-9])#"] + LIST_ELLIPSES + LIST_QUOTES + LIST_ICONS
    + [r"(?<![0-9])['`’][sS]", "—", "–"]
    + [
        r"(?<=[0-9])\+",
        rf"(?<=[{ALPHA}])\+",  # grades: "A+" -> "A" "+" ("C++" is a special case)
        r"(?<=°[FfCcKk])\.",
        rf"(?<=[0-9])(?:{CURRENCY})",
        r"(?<=[0-9])(?:[ap]\.m\.|[AP]\.M\.|[ap]m|[AP]M|k)",
        MAGNITUDES,
        rf"(?<=[0-9])(?:{UNITS.replace('|T|G|M|K', '')})",
        rf"(?<=[0-9{ALPHA_LOWER}%²\-\+{CONCAT_QUOTES}…,:;!?()\[\]{{}}*&#])\.",
        rf"(?<=[{ALPHA_UPPER}][{ALPHA_UPPER}])\.",
    ]
)

# A straight double quote glued between words is a quote, not part of either word:
# 'the"best"one', 'Smith"<smith@example.com>'. After a digit it is an inch mark (12"x8").
GLUED_QUOTE = rf'(?<=[{ALPHA}.])"(?=[{ALPHA}<\-])|(?<=[{ALPHA}]")<(?=\S)'

# Numeric ranges split at the hyphen ("5-10", "400-500", "1.5-2.0", "1969-1970",
# "3:00-5:30") unless the right side is exactly four digits after a group that is not a
# year: "555-0142" / "77001-0027" are phone numbers / ZIP+4 codes, kept whole. A left
# group after another hyphen, slash or "#" is part of an ID or date ("8-7-01", "#123-4"),
# and a right side running into letters is a name ("12-3a.doc"): neither splits here.
_NUM_START = "".join(rf"(?<![\-/#][0-9]{{{n}}})" for n in range(1, 6))
NUMBER_RANGE = (
    rf"(?<=[0-9])(?=-){_NUM_START}-(?=(?:[0-9]{{1,3}}|[0-9]{{5,}})(?:[.,:][0-9]+)*(?![0-9\-/]|\.?[{ALPHA}]))"
    r"|(?<=(?<![0-9\-/])[0-9]{4})-(?=[0-9]{4}(?![0-9\-/]))"
)
# "$10-$20": the hyphen splits, and the second currency sign is split from its number.
CURRENCY_RANGE = rf"(?<=[0-9])-(?=(?:{CURRENCY})[0-9])"
CURRENCY_RANGE_SIGN = r"(?<=[0-9]-[$£€¥])(?=[0-9])"

INFIXES = (
    LIST_ELLIPSES + LIST_ICONS
    + [
        r"(?<=[0-9])[+\*^](?=[0-9])",
        GLUED_QUOTE, GLUED_BEFORE_URL, NUMBER_RANGE, CURRENCY_RANGE, CURRENCY_RANGE_SIGN,
        rf"(?<=[{ALPHA_LOWER}{CONCAT_QUOTES}])\.(?=[{ALPHA_UPPER}{CONCAT_QUOTES}])",
        rf"(?<=[{ALPHA}]),(?=[{ALPHA}])",
        rf"(?<=[{ALPHA}]);(?=[{ALPHA}])",
        # "well-known" and "AK-47" split, "e-mail" and "mid-1980s" do not. The leading
        # lookahead fails fast at most positions, before the costly lookbehinds run.
        rf"(?=(?:{HYPHENS})[{ALPHA}]){_bound}{_single_letter}"
        rf"(?<=[{ALPHA}0-9])(?:{HYPHENS})(?=[{ALPHA}])",
        rf"(?=(?:{HYPHENS})[0-9]){_bound}(?<=[{ALPHA}])(?:{HYPHENS})(?=[0-9])",
        rf"(?<=[{ALPHA}]{{2}})/(?=[{ALPHA}]{{2}})",                                # and/or
        # brackets glued inside a chunk: "a(b)c", "x.pdf)(See", "(draft).doc"
        rf"(?<=[{ALPHA}0-9)\]])[(\[](?=[{ALPHA}0-9])|(?<=[{ALPHA}0-9)\]])[)\]](?=[{ALPHA}0-9(\[]|\.[{ALPHA}])",
    ]
)

# Month abbreviations for dates written day-month-year with hyphens ("5-Jan-2001").
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
          r"|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)")

# Whole tokens never split: phone numbers and numeric dates/IDs ("713-853-3989",
# "8-7-01", "11/28/2000", "01-Feb-02"), hashtags and handles ("#audiobooks", "@user"), decades.
TOKEN_MATCH = (
    r"^(?:"
    r"\(?[0-9]{3}\)?-?[0-9]{3}-[0-9]{4}|[0-9]{3}-[0-9]{4}|x?[0-9]-[0-9]{4}"
    r"|[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}|[0-9]{1,2}/[0-9]{2,4}"
    rf"|[0-9]{{1,2}}-{_MONTH}-[0-9]{{2,4}}"
    rf"|[#@][{ALPHA}][\w]*"
    r")$"
)
