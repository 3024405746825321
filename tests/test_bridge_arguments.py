"""Every public method of SomaDocument, called with whatever the page could send.

A property test: for each method, random arguments (NaN, infinities, numbers too large for a
float, wrong types, nested lists and objects, very long strings, lone surrogates, too many or
too few of them) must get a reply the page can parse, a clear error rather than an internal
one, and leave the document as it was when refused.
"""

import inspect
import json
import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bridge import ScriptedDialogs, _session, _wav, _with_partials

from app.shell.bridge import SomaDocument

METHODS = sorted(name for name in dir(SomaDocument) if not name.startswith("_"))
SETTLE_SECONDS = 60.0  # a worker's result after a call that started one; fails, never hangs

# Values JS can send that are wrong nearly everywhere, drawn as often as all the rest.
awkward = st.sampled_from(
    [
        math.nan,
        math.inf,
        -math.inf,
        10**400,
        -(10**400),
        2**53 + 1,
        1e308,
        5e-324,
        -1,
        0,
        True,
        None,
        "",
        "\udc80",
        "a\x00b",
        [],
        {},
    ]
)
numbers = st.one_of(awkward, st.floats(), st.integers())
long_text = st.builds(
    lambda char, count: char * count,
    st.characters(),
    st.integers(min_value=4000, max_value=100_000),
)
leaves = st.one_of(
    numbers,
    st.text(max_size=20),
    long_text,
    st.sampled_from(
        ["wav", "csv", "~nosuchuser-soma/x.wav", "#ff0000", "data:image/png;base64,AAAA"]
    ),
)
# Shapes the methods look for, so that checks deep inside them are reached too.
shaped = st.one_of(
    st.lists(st.lists(numbers, min_size=2, max_size=2), max_size=5),  # a guide
    st.lists(
        st.fixed_dictionaries({"partialId": leaves, "start": numbers, "end": numbers}), max_size=3
    ),
)  # erase ranges
values = st.recursive(
    leaves | shaped,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
deep = st.integers(min_value=100, max_value=5000).map(lambda depth: _nested(depth))


def _nested(depth):
    value = 1.0
    for _ in range(depth):
        value = [value]
    return value


def _arguments(method_name):
    """As many arguments as the method takes, give or take one: pywebview passes what the
    page sends."""
    parameters = inspect.signature(getattr(SomaDocument, method_name)).parameters
    count = len(parameters) - 1  # self
    return st.integers(min_value=max(0, count - 1), max_value=count + 1).flatmap(
        lambda n: st.lists(st.one_of(awkward, values, deep), min_size=n, max_size=n)
    )


def _document_fields(state):
    """What a refused call must leave as it was: all the page sees but the error banner
    (a file that will not open says so there)."""
    fields = state.to_json()
    del fields["error"]
    return fields


def _settle(document, name, reply, before_reply):
    """Wait until the work a successful call started in a worker has reached the document,
    so that the next call is judged on a document nothing else changes."""
    deadline = time.monotonic() + SETTLE_SECONDS
    store = document._store

    def settled():
        if name == "set_view":
            return store.state.computing == 0
        if name in ("snap", "resnap"):  # its result, or its failure, changes the state
            return store.state is not before_reply and not any(
                task.state == "running" for task in document._progress.snapshot()
            )
        return True

    while not settled():
        assert time.monotonic() < deadline, f"{name} {reply} did not settle"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """A document with a file open and three partials; file dialogs are all cancelled."""
    session = _session(ScriptedDialogs(*[None] * 100_000))
    document = session.document
    document.open_path(_wav(tmp_path_factory.mktemp("audio") / "a.wav", seconds=2.0))
    _with_partials(document, 3, 2.0)
    yield document
    session.close()


@pytest.mark.parametrize("name", METHODS)
# derandomize: the same examples on every run, so that the suite never fails by chance.
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_any_arguments_get_a_clear_json_reply(opened, name, data):
    arguments = data.draw(_arguments(name), label="arguments")
    before = opened._store.state
    reply = getattr(opened, name)(*arguments)
    after_reply = opened._store.state
    json.dumps(reply, allow_nan=False)  # what the page's JSON.parse can read
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), reply
    if reply["ok"]:
        _settle(opened, name, reply, after_reply)
        return
    error = reply["error"]
    assert isinstance(error, str) and error and "\n" not in error
    assert "Internal error" not in error, error
    assert _document_fields(after_reply) == _document_fields(before), error
