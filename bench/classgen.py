"""Generate a realistic class of N submissions for the benchmark, deterministically from a seed.

    python bench/classgen.py OUT_DIR --n 200 [--seed 0]

Every submission is derived from the current reference solutions (and, for
unfinished work, the exercise stubs) by textual edits: each mistake is one
`(old, new)` replacement on a reference file, the kind students make (Linear
sizes swapped, no `zero_grad`, counting `state_dict()`, copying instead of
tying, ...). The class mixes correct, typically wrong and unfinished work in
four forms: plain folders, pushed repositories (`exercises/` inside), folders
of notebooks, and zips. Nothing hostile (no hangs, crashes, exits): the
benchmark times grading, not containment.

A mutation that no longer applies to the reference (the reference changed) is
skipped with a warning and recorded in the manifest, never a silent correct
file labelled wrong: `.manifest.json` in the class folder lists each
submission's form, kind and the mutations actually applied.

Same seed and same reference give byte-identical files (fixed notebook cell
ids, fixed zip timestamps and permissions).
"""
from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import sys
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"

sys.path.insert(0, str(ROOT))  # the unit's exercise ids, from the one place that states them
from grader.unit import EXERCISE_IDS as EXERCISES  # noqa: E402

ZIP_DATE = (2024, 9, 2, 10, 0, 0)

# Forms and kinds, with their weights in the class.
FORMS = {"folder": 0.55, "repo": 0.10, "notebook": 0.15, "zip": 0.20}
KINDS = {"correct": 0.30, "wrong": 0.55, "partial": 0.15}

# Typical mistakes: exercise -> {name: ((old, new), ...)}; each `old` must occur exactly once.
MUTATIONS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "ex01_sequential": {
        "transposed_linear": ((
            "        nn.Linear(1, n_hidden),\n        nn.Tanh(),\n        nn.Linear(n_hidden, 1),\n",
            "        nn.Linear(n_hidden, 1),\n        nn.Tanh(),\n        nn.Linear(1, n_hidden),\n"),),
        "no_activation": (("        nn.Tanh(),\n", ""),),
        "default_hidden_8": (("n_hidden: int = 13", "n_hidden: int = 8"),),
        "shapes_torch_size": (("[tuple(p.shape) for p in model.parameters()]", "[p.shape for p in model.parameters()]"),),
        "shapes_lists": (("[tuple(p.shape) for p in model.parameters()]", "[list(p.shape) for p in model.parameters()]"),),
    },
    "ex02_named_layers": {
        "state_dict_keys": (("return [name for name, _ in model.named_parameters()]",
                             "return list(model.state_dict().keys())"),),
        "bias_data": (("return model.output_linear.bias\n", "return model.output_linear.bias.data\n"),),
        "bias_clone": (("return model.output_linear.bias\n", "return model.output_linear.bias.clone()\n"),),
        "wrong_layer_name": (('("output_linear", nn.Linear(n_hidden, 1))', '("output", nn.Linear(n_hidden, 1))'),),
        "default_hidden_13": (("n_hidden: int = 8", "n_hidden: int = 13"),),
    },
    "ex03_count_parameters": {
        "counts_state_dict": ((
            "    return sum(\n"
            "        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only\n"
            "    )\n",
            "    state = model.state_dict(keep_vars=True)\n"
            "    return sum(\n"
            "        t.numel() for t in state.values() if t.requires_grad or not trainable_only\n"
            "    )\n"),),
        "ignores_trainable_only": (("p.numel() for p in model.parameters() if p.requires_grad or not trainable_only",
                                    "p.numel() for p in model.parameters()"),),
        "tied_counted_twice": (("p.numel() for p in model.parameters() if",
                                "p.numel() for _, p in model.named_parameters(remove_duplicate=False) if"),),
        "freeze_substring": (("name.startswith(pre)", "pre in name"),),
        "freeze_iterator_twice": (("    prefixes = tuple(prefixes)\n", ""),),
        "vgg_no_padding": (("kernel_size=3, padding=1", "kernel_size=3"),),
        "vgg_ignores_num_classes": (("nn.Linear(4096, num_classes)", "nn.Linear(4096, 1000)"),),
        "vgg_short_classifier": ((
            "        nn.Linear(4096, 4096),\n        nn.ReLU(inplace=True),\n        nn.Dropout(),\n", ""),),
    },
    "ex04_tied_weights": {
        "copies_data": ((
            "    dst.weight = src.weight\n    dst.bias = src.bias\n",
            "    dst.weight.data.copy_(src.weight.data)\n"
            "    if src.bias is not None:\n"
            "        dst.bias.data.copy_(src.bias.data)\n"),),
        "two_linears": (
            ("    shared = nn.Linear(hidden, hidden)\n", ""),
            ("        shared,\n        nn.ReLU(),\n        shared,\n",
             "        nn.Linear(hidden, hidden),\n        nn.ReLU(),\n        nn.Linear(hidden, hidden),\n"),
        ),
        "message_without_shapes": ((
            'f"cannot tie: src weight has shape {src_shape}, dst weight has shape {dst_shape}"',
            '"cannot tie: the shapes differ"'),),
        "mutates_before_raising": (
            ("    dst.weight = src.weight\n    dst.bias = src.bias\n", ""),
            ("    dst_shape = tuple(dst.weight.shape)\n",
             "    dst_shape = tuple(dst.weight.shape)\n    dst.weight = src.weight\n    dst.bias = src.bias\n"),
        ),
    },
    "ex05_training_loop": {
        "no_zero_grad": (("        optimizer.zero_grad()\n", ""),),
        "step_before_backward": (("        train_loss.backward()\n        optimizer.step()\n",
                                  "        optimizer.step()\n        train_loss.backward()\n"),),
        "val_with_graph": (("        with torch.no_grad():\n            val_loss = loss_fn(model(t_u_val), t_c_val)\n",
                            "        val_loss = loss_fn(model(t_u_val), t_c_val)\n"),),
        "losses_as_tensors": (("history.append((train_loss.item(), val_loss.item()))",
                               "history.append((train_loss.detach(), val_loss))"),),
        "no_input_scaling": (("t_un_train = 0.1 * t_u_train", "t_un_train = t_u_train"),
                             ("t_un_val = 0.1 * t_u_val", "t_un_val = t_u_val")),
        "seed_after_model": (("    torch.manual_seed(seed)\n    model = build_seq_model(13).to(device)\n",
                              "    model = build_seq_model(13).to(device)\n    torch.manual_seed(seed)\n"),),
        "default_lr": (("lr: float = 1e-3", "lr: float = 1e-2"),),
        "split_ignores_fraction": (("n_val = int(val_fraction * n)", "n_val = int(0.2 * n)"),),
        "split_val_last": (("val_idx = shuffled[:n_val]\n    train_idx = shuffled[n_val:]",
                            "val_idx = shuffled[n - n_val:]\n    train_idx = shuffled[:n - n_val]"),),
        "model_not_on_device": (("model = build_seq_model(13).to(device)", "model = build_seq_model(13)"),),
        "prints_every_epoch": (("        history.append((train_loss.item(), val_loss.item()))\n",
                                "        history.append((train_loss.item(), val_loss.item()))\n"
                                "        print(f\"epoch {len(history)}: train {train_loss.item():.4f}, "
                                "val {val_loss.item():.4f}\")\n"),),
    },
    "ex06_gradients": {
        "no_zero_grad": (("    model.zero_grad(set_to_none=True)\n", ""),),
        "returns_grad_itself": (("p.grad.detach().clone() if p.grad is not None", "p.grad if p.grad is not None"),),
        "crashes_on_missing_grad": ((
            "(p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p))",
            "p.grad.detach().clone()"),),
        "includes_frozen": (("        if p.requires_grad\n", ""),),
        "norms_tensors": (("torch.linalg.vector_norm(p.grad).item()", "torch.linalg.vector_norm(p.grad)"),),
        "norms_of_parameters": (("torch.linalg.vector_norm(p.grad).item()", "torch.linalg.vector_norm(p).item()"),),
    },
    "ex07_custom_module": {
        "plain_list": ((
            "        self.layers = nn.ModuleList(\n"
            "            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])\n"
            "        )\n",
            "        self.layers = [\n"
            "            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])\n"
            "        ]\n"),),
        "forward_no_activation": (("self.output_linear(self.hidden_activation(self.hidden_linear(x)))",
                                   "self.output_linear(self.hidden_linear(x))"),),
        "tanh_after_last": (("            if i < last:\n                x = torch.tanh(x)\n",
                             "            x = torch.tanh(x)\n"),),
        "wrong_attribute": (("self.hidden_linear = nn.Linear(1, n_hidden)", "self.hidden = nn.Linear(1, n_hidden)"),
                            ("self.hidden_linear(x)", "self.hidden(x)")),
    },
    "ex08_checkpoints": {
        "pickles_model": (
            ('            "model": model.state_dict(),\n', '            "model": model,\n'),
            ('torch.load(path, weights_only=True, map_location="cpu")',
             'torch.load(path, weights_only=False, map_location="cpu")'),
            ('    model.load_state_dict(checkpoint["model"])\n',
             '    model.load_state_dict(checkpoint["model"].state_dict())\n'),
        ),
        "no_optimizer_state": (('    optimizer.load_state_dict(checkpoint["optimizer"])\n', ""),),
        "epoch_tensor": (('"epoch": int(epoch),', '"epoch": torch.tensor(epoch),'),
                         ('return int(checkpoint["epoch"])', 'return checkpoint["epoch"]')),
    },
}


class MutationSkipped(UserWarning):
    """A mutation no longer applies to the reference source."""


@dataclass
class Planned:
    """One generated submission: where it is and what it holds."""

    name: str
    form: str
    kind: str
    mutations: list[str] = field(default_factory=list)  # "exNN_x: name" actually applied
    stubbed: list[str] = field(default_factory=list)  # exercises left as the stub
    skipped: list[str] = field(default_factory=list)  # mutations that did not apply

    @property
    def expect_full_marks(self) -> bool:
        return not self.mutations and not self.stubbed


# --- sources ---------------------------------------------------------------------


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def reference_sources() -> dict[str, str]:
    return {ex: _read(REFERENCE / f"{ex}.py") for ex in EXERCISES}


def stub_sources() -> dict[str, str]:
    return {ex: _read(STUBS / f"{ex}.py") for ex in EXERCISES}


def apply_mutation(source: str, edits: tuple[tuple[str, str], ...]) -> str | None:
    """`source` with every (old, new) applied, or None when an `old` does not occur exactly once."""
    for old, new in edits:
        if source.count(old) != 1:
            return None
        source = source.replace(old, new)
    return source


# --- writers ---------------------------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


_TOP_LEVEL_DEF = re.compile(r"^(def|class|async def) ", re.MULTILINE)


def notebook_text(ex: str, source: str) -> str:
    """A student's notebook of `source`: a title, the imports, a magic cell, the definitions in cells."""
    import nbformat
    from nbformat import v4

    starts = [m.start() for m in _TOP_LEVEL_DEF.finditer(source)]
    if not starts:  # nothing to split: one code cell
        chunks = [source]
    else:
        chunks = [source[: starts[0]]] + [source[a:b] for a, b in zip(starts, starts[1:] + [len(source)])]
    title = ex.split("_", 1)[1].replace("_", " ")
    cells = [v4.new_markdown_cell(f"# {ex[:4].upper()}: {title}\n\nRun all cells, then `pytest exercises/`.")]
    cells.append(v4.new_code_cell(chunks[0].strip("\n")))
    cells.append(v4.new_code_cell("%matplotlib inline\n!pip list | grep torch"))
    for chunk in chunks[1:]:
        cells.append(v4.new_code_cell(chunk.strip("\n")))
    for number, cell in enumerate(cells):
        cell["id"] = f"{ex[:4]}-cell-{number}"
    nb = v4.new_notebook()
    nb.cells = cells
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    nbformat.validate(nb)
    buffer = io.StringIO()
    nbformat.write(nb, buffer)
    return buffer.getvalue()


def _zip_bytes(folder_name: str, files: dict[str, str], macosx: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        folder = zipfile.ZipInfo(f"{folder_name}/", date_time=ZIP_DATE)
        folder.external_attr = (0o40755 << 16) | 0x10
        folder.create_system = 3
        archive.writestr(folder, b"")
        for rel, text in sorted(files.items()):
            info = zipfile.ZipInfo(f"{folder_name}/{rel}", date_time=ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
            if macosx:  # Finder's resource forks, which the grader must ignore
                fork = zipfile.ZipInfo(f"__MACOSX/{folder_name}/._{rel}", date_time=ZIP_DATE)
                fork.external_attr = 0o100644 << 16
                fork.create_system = 3
                archive.writestr(fork, b"\x00\x05\x16\x07" + b"\x00" * 60)
    return buffer.getvalue()


# --- the class -------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _contents(rng: random.Random, kind: str, ref: dict[str, str], stubs: dict[str, str],
              planned: Planned) -> dict[str, str]:
    files = dict(ref)
    if kind == "wrong":
        for ex in sorted(rng.sample(EXERCISES, rng.choice((1, 1, 2, 2, 3)))):
            name = rng.choice(sorted(MUTATIONS[ex]))
            changed = apply_mutation(files[ex], MUTATIONS[ex][name])
            if changed is None:
                planned.skipped.append(f"{ex}: {name}")
                warnings.warn(f"classgen: mutation {ex}: {name} no longer applies to reference/{ex}.py; skipped",
                              MutationSkipped, stacklevel=2)
                continue
            files[ex] = changed
            planned.mutations.append(f"{ex}: {name}")
    elif kind == "partial":  # stopped at some exercise: the rest are the stubs, maybe the last one missing
        first_stub = rng.randrange(2, len(EXERCISES))
        for ex in EXERCISES[first_stub:]:
            files[ex] = stubs[ex]
            planned.stubbed.append(ex)
        if rng.random() < 0.3:
            del files[EXERCISES[-1]]
            planned.stubbed[-1] = f"{EXERCISES[-1]} (missing)"
    return files


def _write(dest: Path, planned: Planned, files: dict[str, str], rng: random.Random) -> None:
    name, form = planned.name, planned.form
    if form == "folder":
        for ex, text in files.items():
            _write_text(dest / name / f"{ex}.py", text)
    elif form == "repo":
        repo = dest / name
        for ex, text in files.items():
            _write_text(repo / "exercises" / f"{ex}.py", text)
        _write_text(repo / "README.md", "# nn.Module parameters\n\nMy solutions are in `exercises/`.\n")
        _write_text(repo / "requirements.txt", "torch>=2.4\npytest>=8\n")
        _write_text(repo / ".gitignore", "__pycache__/\n.venv/\n")
    elif form == "notebook":  # mostly notebooks; now and then a .py left among them
        for ex, text in files.items():
            if rng.random() < 0.2:
                _write_text(dest / name / f"{ex}.py", text)
            else:
                _write_text(dest / name / f"{ex}.ipynb", notebook_text(ex, text))
    elif form == "zip":
        macosx = rng.random() < 0.3
        data = _zip_bytes(name, {f"{ex}.py": text for ex, text in files.items()}, macosx)
        dest.mkdir(parents=True, exist_ok=True)
        (dest / f"{name}.zip").write_bytes(data)
    else:
        raise ValueError(form)


def generate(dest: Path, n: int, seed: int = 0) -> list[Planned]:
    """Write a class of `n` submissions into `dest` (emptied first); return what was written."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        if not (dest / ".manifest.json").is_file():
            raise FileExistsError(f"{dest} exists and is not a generated class (no .manifest.json): not replacing it")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    rng = random.Random(seed)
    ref, stubs = reference_sources(), stub_sources()
    class_ = []
    for index in range(n):
        form, kind = _pick(rng, FORMS), _pick(rng, KINDS)
        planned = Planned(name=f"s{index:04d}_{form}_{kind}", form=form, kind=kind)
        files = _contents(rng, kind, ref, stubs, planned)
        _write(dest, planned, files, rng)
        class_.append(planned)
    manifest = {"n": n, "seed": seed, "submissions": [vars(p) | {"expect_full_marks": p.expect_full_marks}
                                                       for p in class_]}
    _write_text(dest / ".manifest.json", json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return class_


def summary(class_: list[Planned]) -> dict:
    """Counts by form and kind, and how many mutations were skipped."""
    out: dict = {"forms": {}, "kinds": {}, "mutations_applied": 0, "mutations_skipped": []}
    for p in class_:
        out["forms"][p.form] = out["forms"].get(p.form, 0) + 1
        out["kinds"][p.kind] = out["kinds"].get(p.kind, 0) + 1
        out["mutations_applied"] += len(p.mutations)
        out["mutations_skipped"] += p.skipped
    out["mutations_skipped"] = sorted(set(out["mutations_skipped"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="class folder to write (replaced if present)")
    parser.add_argument("--n", type=int, default=200, help="number of submissions")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    class_ = generate(args.out, args.n, args.seed)
    print(json.dumps(summary(class_), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
