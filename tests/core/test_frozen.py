"""``@frozen`` (plnctl.frozen): the models are the standard frozen dataclasses, made on first use
instead of on import (start-up), whatever touches them first."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import pickle
import subprocess
import sys
import threading
import types
from dataclasses import field

import pytest

from plnctl import answer_rules, deliver, insights, models, questions
from plnctl.api import people as api_people
from plnctl.api import posts as api_posts
from plnctl.api import question_edits as api_question_edits
from plnctl.api import share as api_share
from plnctl.api import sources as api_sources
from plnctl.frozen import LazyData, frozen
from plnctl.render import model as render_model
from plnctl.store import posts as store_posts

# Every module with @frozen classes (the models, and the reports built from them).
MODULES = [
    models,
    insights,
    render_model,
    api_share,
    api_people,
    api_sources,
    api_posts,
    api_question_edits,
    questions,
    answer_rules,
    store_posts,
    deliver,
]


def _frozen_classes(module: types.ModuleType) -> list[type]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, LazyData) and cls.__module__ == module.__name__
        and "@frozen\nclass " + cls.__name__ + "(" in inspect.getsource(module)
    ]  # fmt: skip


FROZEN = [cls for module in MODULES for cls in _frozen_classes(module)]
MODELS = _frozen_classes(models)


def _fresh(name: str = "Fresh") -> type:
    """A new pending class each time, so a test sees what makes it."""

    class Fresh(LazyData):
        id: int
        name: str = "x"
        tags: tuple[str, ...] = ()
        extra: dict[str, int] = field(default_factory=dict)

    Fresh.__qualname__ = Fresh.__name__ = name
    return frozen(Fresh)


def _eager(module: types.ModuleType) -> types.ModuleType:
    """``module`` as it would be with ``@dataclass(frozen=True)`` in place of ``@frozen``:
    the standard library's classes, made on import."""
    source = inspect.getsource(module)
    source = source.replace("@frozen\n", "@dataclasses.dataclass(frozen=True)\n")
    source = source.replace("class _Model(LazyData):", "class _Model:")
    future = "from __future__ import annotations\n"
    source = source.replace(future, future + "import dataclasses\n", 1)
    assert "\n@frozen" not in source
    eager = types.ModuleType("eager_" + module.__name__.replace(".", "_"))
    sys.modules[eager.__name__] = eager  # dataclasses looks its module up
    exec(compile(source, eager.__name__, "exec"), eager.__dict__)
    return eager


EAGER = {module.__name__: _eager(module) for module in MODULES}


def test_importing_the_models_makes_none_of_them() -> None:
    code = (
        "import json, plnctl.models as m, plnctl.frozen as f\n"
        "print(json.dumps(sorted(c.__name__ for c in f._PENDING if c.__module__ == m.__name__)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(json.loads(out.stdout)) == {cls.__name__ for cls in MODELS}
    assert len(MODELS) >= 18


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_each_model_is_the_frozen_dataclass_dataclasses_makes(cls: type) -> None:
    standard = getattr(EAGER[cls.__module__], cls.__name__)

    def described(f: dataclasses.Field) -> tuple:  # type: ignore[type-arg]
        return f.name, f.type, f.default, f.default_factory, f.kw_only, dict(f.metadata)

    assert list(map(described, dataclasses.fields(cls))) == list(
        map(described, dataclasses.fields(standard))
    )
    assert cls.__match_args__ == standard.__match_args__  # type: ignore[attr-defined]
    assert cls.__dataclass_params__.frozen and cls.__dataclass_params__.eq  # type: ignore[attr-defined]
    assert str(inspect.signature(cls)) == str(inspect.signature(standard))
    assert cls.__doc__ == standard.__doc__
    for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert method in vars(cls), method


def test_a_model_behaves_as_a_frozen_dataclass() -> None:
    person = models.Person(id=1, name="Ada", topics=("math",))
    assert person == models.Person(1, "Ada", topics=("math",))
    assert person != models.Person(2, "Ada")
    assert hash(person) == hash(models.Person(1, "Ada", topics=("math",)))
    assert repr(person).startswith("Person(id=1, name='Ada', note=None, topics=('math',)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.name = "Bob"  # type: ignore[misc]
    with pytest.raises(TypeError):
        models.Person(name="no id")  # type: ignore[call-arg]
    assert dataclasses.replace(person, name="Bob").name == "Bob"
    assert person.to_dict()["topics"] == ("math",)
    match person:
        case models.Person(1, name):
            assert name == "Ada"
        case _:
            pytest.fail("positional pattern did not match")
    outcome = models.FetchOutcome(status="failed", error="line one\nline two")
    assert outcome.error == "line one line two"  # __post_init__ still runs


@pytest.mark.parametrize(
    "first_use",
    [
        lambda cls: cls(id=1),
        lambda cls: dataclasses.fields(cls),
        lambda cls: dataclasses.is_dataclass(cls),
        lambda cls: cls.__match_args__,
        lambda cls: dataclasses.asdict(cls(1)),
    ],
    ids=["instance", "fields", "is_dataclass", "match_args", "asdict"],
)
def test_whatever_touches_a_class_first_makes_it(first_use) -> None:  # type: ignore[no-untyped-def]
    cls = _fresh()
    assert "__dataclass_fields__" not in vars(cls)
    first_use(cls)
    assert [f.name for f in dataclasses.fields(cls)] == ["id", "name", "tags", "extra"]
    assert cls(1) == cls(1, "x") and cls(1).extra == {}


def test_an_instance_unpickled_in_a_new_process_is_a_dataclass_there(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dump = tmp_path / "post.pickle"
    dump.write_bytes(pickle.dumps([models.PostTag("math", models.TagOrigin.RULE, "keyword")]))
    code = (
        "import pickle, sys, dataclasses\n"
        "from plnctl import models\n"
        f"(tag,) = pickle.loads(open({str(dump)!r}, 'rb').read())\n"
        "assert dataclasses.is_dataclass(tag)\n"
        "assert tag == models.PostTag('math', models.TagOrigin.RULE, 'keyword'), repr(tag)\n"
        "assert dataclasses.replace(tag, reason='x').reason == 'x'\n"
        "print(repr(tag))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("PostTag(topic='math'")


def test_copies_of_an_instance_are_equal_and_frozen() -> None:
    one = models.Media("https://example.org/a.mp3", type="audio/mpeg")
    for other in (copy.copy(one), copy.deepcopy(one), pickle.loads(pickle.dumps(one))):
        assert other == one and other is not one
        with pytest.raises(dataclasses.FrozenInstanceError):
            other.url = "y"  # type: ignore[misc]


def _race(cls: type, threads: int = 8) -> list[object]:
    """Each thread's first use of ``cls``, all released at once: True, or what it raised."""
    results: list[object] = []
    start = threading.Barrier(threads)

    def use() -> None:
        start.wait()
        try:
            results.append(cls(1) == cls(1, "x"))
        except Exception as e:  # the failure is the result
            results.append(e)

    running = [threading.Thread(target=use) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    return results


def test_threads_that_first_use_a_class_at_once_all_get_the_dataclass() -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: inside dataclass() too
    try:
        for _ in range(20):
            assert _race(_fresh()) == [True] * 8
    finally:
        sys.setswitchinterval(interval)


def test_a_plain_subclass_of_a_pending_model_gets_its_fields() -> None:
    base = _fresh("Base")

    class Child(base):  # type: ignore[misc, valid-type]
        def shout(self) -> str:
            return self.name.upper()

    child = Child(1, "hi")
    assert child.shout() == "HI" and child == Child(1, "hi")
    assert [f.name for f in dataclasses.fields(base)] == ["id", "name", "tags", "extra"]


def test_frozen_refuses_a_class_that_is_not_lazy_data() -> None:
    with pytest.raises(TypeError, match="LazyData"):

        @frozen
        class Plain:
            id: int


def test_once_made_a_class_unpickles_as_a_plain_dataclass_does() -> None:
    cls = _fresh()
    assert "__setstate__" in vars(cls)  # pending: unpickling makes it
    one = cls(1)
    # made: no Python-level __setstate__ left, so pickle restores __dict__ itself (C speed)
    assert not hasattr(one, "__setstate__") and not hasattr(models.Media("u"), "__setstate__")
    assert copy.deepcopy(one) == one
