"""`grader report OUT`: the class page and the students' HTML feedback, from a real batch run."""
from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import WRONG, assemble
from grader.batch import BatchOptions, grade_class
from grader.cli import main
from grader.gradebook import Gradebook
from grader.report import CURVE_TRACE, write_report



@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    klass = root / "class"
    assemble(klass / "alice")
    assemble(klass / "bob", WRONG / "ex05_no_zero_grad")
    assemble(klass / "carol", {"ex02_named_layers.py": WRONG / "ex02_bias_data" / "ex02_named_layers.py",
                               "ex07_custom_module.py": "def broken(:\n"})  # a syntax error: ex07 does not run
    assemble(klass / "dave <&>", WRONG / "ex05_no_input_scaling")  # a name that needs escaping
    dest = root / "out"
    grade_class(klass, BatchOptions(out=dest, workers=2, hidden=False, progress=False), log=lambda _: None)
    assert main(["report", str(dest)]) == 0
    return dest


def test_batch_keeps_diagnoses_and_traces(out: Path):
    book = Gradebook(out / "gradebook.sqlite")
    try:
        bob = {d for r in book.results("bob") for d in r.diagnoses}
        assert bob == {"no_zero_grad"}
        assert {d for r in book.results("alice") for d in r.diagnoses} == set()
        reference = book.traces(None)[CURVE_TRACE]
        assert len(reference) == 800 and all(len(e) == 2 for e in reference)
        assert book.traces("alice")[CURVE_TRACE] == reference
        assert book.traces("bob")[CURVE_TRACE] != reference
    finally:
        book.close()
    assert "Diagnosis: optimizer.zero_grad() is never called" in (out / "feedback" / "bob.md").read_text()


class _StrictHTML(html.parser.HTMLParser):
    """A strict HTML5 well-formedness check: doctype first, every non-void element closed in order,
    <html lang>, <meta charset>, <title>, unique ids, every <img> with alt and an embedded src."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype = False
        self.seen: set[str] = set()
        self.ids: set[str] = set()
        self.images: list[dict] = []
        self.started = False

    def handle_decl(self, decl: str) -> None:
        if self.started or decl.lower() != "doctype html":
            self.errors.append(f"bad or late doctype {decl!r}")
        self.doctype = True

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.started = True
        a = dict(attrs)
        self.seen.add(tag)
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']!r}")
            self.ids.add(a["id"])
        if tag == "html" and not a.get("lang"):
            self.errors.append("<html> without lang")
        if tag == "meta" and "charset" in a:
            self.seen.add("meta charset")
        if tag == "img":
            self.images.append(a)
            if not a.get("alt"):
                self.errors.append("<img> without alt")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.errors.append(f"self-closing non-void <{tag}/>")
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            self.errors.append(f"end tag for void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def check(self, text: str) -> list[str]:
        self.feed(text)
        self.close()
        errors = list(self.errors)
        if not self.doctype:
            errors.append("no doctype")
        if self.stack:
            errors.append(f"unclosed {self.stack}")
        for needed in ("html", "head", "title", "body", "meta charset"):
            if needed not in self.seen:
                errors.append(f"no {needed}")
        return errors


def _parse(path: Path) -> _StrictHTML:
    parser = _StrictHTML()
    errors = parser.check(path.read_text(encoding="utf-8"))
    assert errors == [], f"{path.name}: {errors}"
    return parser


def test_report_is_valid_self_contained_html(out: Path):
    page = out / "report.html"
    parser = _parse(page)
    assert len(parser.images) >= 2  # the histogram and the training curves
    assert all(img["src"].startswith("data:image/png;base64,") for img in parser.images)
    text = page.read_text()
    assert not re.search(r"""(?:src|href)=["'](?:https?:|//|file:)""", text), "nothing outside the page"
    for section in ("scores", "exercises", "diagnoses", "slowest", "not-run", "curves"):
        assert f'id="{section}"' in text


def test_report_contents(out: Path):
    text = (out / "report.html").read_text()
    assert "Class report: 4 submissions" in text
    diagnoses = text[text.index('id="diagnoses"'):text.index('id="slowest"')]
    assert "no_zero_grad" in diagnoses and "bob" in diagnoses
    assert "bias_detached" in diagnoses and "carol" in diagnoses
    assert "no_input_scaling" in diagnoses and "dave &lt;&amp;&gt;" in diagnoses
    not_run = text[text.index('id="not-run"'):text.index('id="curves"')]
    assert "carol" in not_run and "ex07_custom_module: import" in not_run and "bob" not in not_run
    exercises = text[text.index('id="exercises"'):text.index('id="diagnoses"')]
    assert "ex05_training_loop" in exercises and "50% (2/4)" in exercises
    assert "dave <&>" not in text


def test_student_pages(out: Path):
    for name in ("alice", "bob", "carol", "dave <&>"):
        page = out / "feedback" / f"{name}.html"
        assert (out / "feedback" / f"{name}.md").is_file()
        parser = _parse(page)
        assert len(parser.images) == 1 and parser.images[0]["src"].startswith("data:image/png;base64,")
    bob = (out / "feedback" / "bob.html").read_text()
    assert "Diagnosis: optimizer.zero_grad() is never called" in bob


def test_report_without_gradebook_is_a_usage_error(tmp_path: Path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no gradebook.sqlite" in capsys.readouterr().err
    with pytest.raises(Exception):
        write_report(tmp_path)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


_PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute('data-images', imgs.length + ':' + ok);
});
</script>
</body>"""


@pytest.mark.parametrize("page", ["report.html", "feedback/bob.html"])
def test_chromium_renders_the_images(out: Path, tmp_path: Path, page: str):
    browser = _chromium()
    if browser is None:
        pytest.skip("no headless Chromium here (Debian: apt-get install chromium; .ci/run installs it where it "
                    "can): the images were checked as embedded PNG data only")
    probe = tmp_path / "page.html"
    probe.write_text((out / page).read_text(encoding="utf-8").replace("</body>", _PROBE), encoding="utf-8")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--virtual-time-budget=10000", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probe.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    found = re.search(r'data-images="(\d+):(\d+)"', done.stdout)
    assert found, f"chromium did not render the page (exit {done.returncode}): {done.stderr[-2000:]}"
    total, loaded = int(found.group(1)), int(found.group(2))
    assert total >= 1 and loaded == total
