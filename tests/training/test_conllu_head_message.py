"""E412 (an invalid CoNLL-U HEAD) reads clearly for both places that raise it (issue 13 item 12)."""
import pytest

from heron.errors import DataError
from heron.training.converters import conllu_to_docs


def _line(i, form, head):
    return "\t".join([str(i), form, form.lower(), "X", "X", "_", str(head), "dep" if head else "root", "_", "_"])


def _message(text):
    with pytest.raises(DataError) as info:
        list(conllu_to_docs(text, path="bad.conllu"))
    return str(info.value)


@pytest.mark.parametrize("head,range_text", [("one", "from 1 to the number of words."), (7, "from 1 to 2.")])
def test_invalid_head_message_is_clear(head, range_text):
    message = _message(_line(1, "Hi", 0) + "\n" + _line(2, "there", head) + "\n")
    assert message.startswith(f"[E412] bad.conllu:2: invalid CoNLL-U HEAD '{head}'")
    assert "'_' (unknown), 0 (the word is the root) or the ID of the word's head in the same sentence" in message
    assert range_text in message and message.count("number of words") <= 1
    assert "(the number of words" not in message  # the old, garbled wording
    assert message.endswith("Fix: correct the HEAD column (column 7) of line 2.")
