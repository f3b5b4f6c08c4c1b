"""Code versions: which of the project's source files a stage runs, read statically (nothing is imported).

Every rule passes `code=code_version("<stage>")` in its params (workflow/rules/common.smk), so Snakemake's
params rerun trigger reruns exactly the jobs whose code changed. A stage's code is

- the adapter: workflow/scripts/stage.py and every `repro` module it imports (repro.core.stages, ...);
- the module that defines the stage function (`repro.papers.<paper>.<module>` through the paper's lazy
  `_STAGES` table, or `repro.<pkg>.<module>`) and every `repro` module it imports, transitively, including
  imports inside functions and the `__init__` of every package on the way.

Each file counts by its syntax tree without docstrings (`ast`), so comments, docstrings and formatting
never rerun anything. Third-party imports are collected as well: tests/test_snakemake_behaviour.py checks
that each rule's conda env provides every one of them.
"""
from __future__ import annotations

import ast
import hashlib
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

ADAPTER = "workflow/scripts/stage.py"   # relative to the project root; stands for itself in module lists


@dataclass
class _Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module = field(repr=False)

    @cached_property
    def digest(self) -> str:
        """sha256 of the docstring-free syntax tree."""
        return hashlib.sha256(ast.dump(self.tree, include_attributes=False).encode()).hexdigest()

    @cached_property
    def lazy_stages(self) -> dict[str, str]:
        """A paper package's `_STAGES = {"train": "train", ...}` (stage name → submodule), else {}."""
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_STAGES" for t in node.targets):
                return ast.literal_eval(node.value)
        return {}

    @cached_property
    def defines(self) -> set[str]:
        return {n.name for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _parse(path: Path) -> ast.Module:
    """The file's syntax tree with its docstrings removed (comments and formatting are never in it)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


class CodeIndex:
    """The `repro` package and the adapter of one project checkout (`root` holds workflow/)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.package_dir = self.root / "workflow"
        self._modules: dict[str, _Module | None] = {}
        self._imports: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._versions: dict[str, str] = {}

    # -- modules -------------------------------------------------------------------------------------
    def module(self, name: str) -> _Module | None:
        """repro.x.y → workflow/repro/x/y.py or workflow/repro/x/y/__init__.py (None if neither exists)."""
        if name not in self._modules:
            if name == ADAPTER:
                path, is_package = self.root / ADAPTER, False
            else:
                base = self.package_dir.joinpath(*name.split("."))
                is_package = (base / "__init__.py").is_file()
                path = base / "__init__.py" if is_package else base.with_suffix(".py")
            self._modules[name] = _Module(name, path, is_package, _parse(path)) if path.is_file() else None
        return self._modules[name]

    def stage_module(self, stage: str) -> str:
        """The module defining a stage, as repro.core.stages.resolve finds it at run time."""
        package, _, fn = stage.rpartition(".")
        for candidate in (f"repro.papers.{package}", f"repro.{package}"):
            mod = self.module(candidate)
            if mod is None:
                continue
            if fn in mod.lazy_stages:
                return f"{candidate}.{mod.lazy_stages[fn]}"
            if fn in mod.defines:
                return candidate
        raise LookupError(f"stage {stage!r}: no function {fn!r} in repro.papers.{package} or repro.{package}")

    def _direct_imports(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """(repro modules, third-party top-level names) that module `name` imports anywhere in its body."""
        if name in self._imports:
            return self._imports[name]
        mod = self.module(name)
        assert mod is not None, name
        ours: set[str] = set()
        theirs: set[str] = set()
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._classify(alias.name, (), ours, theirs)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    package = name if mod.is_package else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{node.module}" if node.module else package
                else:
                    base = node.module or ""
                self._classify(base, [a.name for a in node.names], ours, theirs)
        self._imports[name] = (frozenset(ours), frozenset(theirs))
        return self._imports[name]

    def _classify(self, base: str, names, ours: set[str], theirs: set[str]) -> None:
        top = base.split(".")[0]
        if top != "repro":
            if top and top != "__future__" and top not in sys.stdlib_module_names:
                theirs.add(top)
            return
        parts = base.split(".")
        while parts and self.module(".".join(parts)) is None:  # `import repro.x.y` may name an attribute
            parts.pop()
        if not parts:
            return
        base = ".".join(parts)
        ours.add(base)
        pkg = self.module(base)
        for n in names:
            if self.module(f"{base}.{n}") is not None:
                ours.add(f"{base}.{n}")
            elif pkg is not None and n in pkg.lazy_stages:       # `from repro.papers.x import train`
                ours.add(f"{base}.{pkg.lazy_stages[n]}")

    # -- closures and versions ---------------------------------------------------------------------------
    def closure(self, roots: list[str]) -> list[str]:
        """Every module the roots import, transitively, with the packages that contain them."""
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            parts = name.split(".") if name != ADAPTER else []
            todo += [".".join(parts[:i]) for i in range(1, len(parts))]     # parent packages run on import
            todo += sorted(self._direct_imports(name)[0])
        return sorted(seen)

    def stage_closure(self, stage: str) -> list[str]:
        return self.closure([ADAPTER, self.stage_module(stage)])

    def third_party(self, stage: str) -> set[str]:
        """Top-level names of the non-stdlib, non-repro modules the stage's code imports."""
        return set().union(*(self._direct_imports(m)[1] for m in self.stage_closure(stage)))

    def version(self, stage: str) -> str:
        """12 hex digits naming the code a stage runs; equal iff every file's docstring-free syntax tree is."""
        if stage not in self._versions:
            h = hashlib.sha256()
            for name in self.stage_closure(stage):
                h.update(f"{name}\0{self.module(name).digest}\n".encode())
            self._versions[stage] = h.hexdigest()[:12]
        return self._versions[stage]
