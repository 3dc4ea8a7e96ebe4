"""`heron info PATH` on a saved pipeline: the saved-file record is not printed as a row."""
from typer.testing import CliRunner

import heron
from heron.cli import app

runner = CliRunner()


def test_info_skips_the_saved_file_record(tmp_path):
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "p")
    result = runner.invoke(app, ["info", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "sentencizer" in result.stdout
    assert "strings.json" not in result.stdout
