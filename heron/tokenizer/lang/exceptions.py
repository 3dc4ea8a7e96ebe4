"""Language-neutral special cases: emoticons and a few symbol sequences.

Each entry maps a string to the tokens it must become; emoticons stay one token even
though they are made of punctuation that the prefix/suffix rules would split.
"""
from __future__ import annotations

from typing import Dict, List

EMOTICONS = """
:) :-) :)) :-)) :))) :-))) (: (-: =) (= ") :] :-] [: [-: [= =] :o) (o: :} :-} 8) 8-)
(-8 ;) ;-) (; (-; ;-] ;] :( :-( :(( :-(( :((( :-((( )-: =( >:( :') :'-) :'( :'-(
:/ :-/ =/ =\\ :\\ :-\\ :p :P :-p :-P :b :-b ;p ;-p ;P ;-P =p =P xp xP x-p x-P xD XD :D :-D
=D ;D ;-D :o :O :-o :-O :0 :-0 >:o >:O :| :-| :x :X :-x :-X :* :-* :3 <3 </3 <33 ^_^ ^^
^-^ -_- o_o o.o O_O O.O o_O O_o ._. :$ :-$ =| 8D ¯\\(ツ)/¯ (╯°□°）╯︵┻━┻ ಠ_ಠ
""".split()

# Sequences kept whole that the affix rules would split apart.
SYMBOLS = ["°C.", "°F.", "°K.", "°c.", "°f.", "°k.", "''", "``", "---", "--", "-->", "<--", "->", "<-", "=>", "<=>"]


def base_exceptions() -> Dict[str, List[Dict[str, str]]]:
    """Fresh dict of the language-neutral special cases (safe to modify)."""
    exc: Dict[str, List[Dict[str, str]]] = {}
    for emoticon in EMOTICONS:
        exc[emoticon] = [{"ORTH": emoticon}]
    for symbol in SYMBOLS:
        if symbol.startswith("°") and symbol.endswith("."):
            exc[symbol] = [{"ORTH": symbol[:-1]}, {"ORTH": "."}]
        else:
            exc[symbol] = [{"ORTH": symbol}]
    return exc
