"""The engine's behaviour beyond single checks: determinism, cost, errors, messages."""

import numpy as np

from dlgrade.checks.engine import Settings, run_check, run_entry
from dlgrade.checks.search import draw_examples
from dlgrade.checks.student import CountingStudent, InProcessStudent
from dlgrade.checks.table import entry, topic_entries
from dlgrade.reference import activations as A


def _acts(**override):
    ns = {e.name: e.reference for e in topic_entries("activations")}
    ns.update(override)
    return InProcessStudent(ns)


def test_repeated_runs_give_identical_outcomes():
    buggy = _acts(softmax=lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), relu_grad=lambda z: (z >= 0) * 1.0)
    runs = []
    for _ in range(3):
        outs = [run_check(e, c, buggy) for e in topic_entries("activations") for c in e.checks()]
        runs.append([(o.function, o.check, o.status, o.summary, o.detail, o.mistake) for o in outs])
    assert runs[0] == runs[1] == runs[2]
    assert any(r[2] == "failed" for r in runs[0])


def test_drawn_examples_are_deterministic_and_cached():
    e = entry("sigmoid")
    a = draw_examples(("x-sigmoid", "value"), e.inputs, 7, 123)
    b = draw_examples(("x-sigmoid", "value"), e.inputs, 7, 123)
    assert a is b and len(a) >= 1
    from dlgrade.checks import search

    search._EXAMPLES.clear()
    c = draw_examples(("x-sigmoid", "value"), e.inputs, 7, 123)
    assert [x["z"].tobytes() for x in a] == [x["z"].tobytes() for x in c]


def test_a_passing_value_check_is_one_round_trip():
    student = CountingStudent(_acts())
    out = run_check(entry("sigmoid"), "value", student)
    assert out.passed and student.round_trips == 1


def test_shrinking_finds_a_small_counterexample():
    out = run_check(entry("sigmoid"), "value", _acts(sigmoid=lambda z: 1 / (1 + np.exp(z))))
    assert out.status == "failed"
    z = np.asarray(out.data["inputs"]["z"])
    assert z.size == 1, f"expected a single-number counterexample, got {z}"
    assert "import numpy as np" in out.reproduce and "sigmoid(z)" in out.reproduce


def test_missing_and_not_implemented_are_errors_not_failures():
    def todo(z):
        raise NotImplementedError

    out = run_check(entry("relu"), "value", _acts(relu=todo))
    assert out.status == "error" and "not implemented" in out.summary
    out = run_check(entry("relu"), "value", InProcessStudent({}))
    assert out.status == "error" and "missing" in out.summary


def test_exception_in_student_code_is_reported_with_its_type():
    out = run_check(entry("tanh"), "value", _acts(tanh=lambda z: z.nonexistent()))
    assert out.status == "error" and "AttributeError" in out.summary


def test_in_place_modification_is_caught():
    def relu(z):
        z[z < 0] = 0
        return z

    out = run_check(entry("relu"), "value", _acts(relu=relu))
    assert out.status == "error" and "in place" in out.summary


def test_backward_feedback_says_which_side_is_wrong():
    # forward wrong, derivative consistent with it: "fix the forward first"
    bad_sig = lambda z: 1 / (1 + np.exp(z))  # noqa: E731
    consistent = lambda z: -bad_sig(z) * (1 - bad_sig(z))  # noqa: E731
    out = run_check(entry("sigmoid_grad"), "value", _acts(sigmoid=bad_sig, sigmoid_grad=consistent))
    assert out.status == "failed" and "fix sigmoid first" in out.detail and "does match the derivative" in out.detail
    # forward right, derivative wrong: "the mistake is in the derivative"
    out = run_check(entry("sigmoid_grad"), "value", _acts(sigmoid_grad=lambda z: A.sigmoid(z) * (1 + A.sigmoid(z))))
    assert "mistake is in the derivative" in out.detail


def test_gradcheck_is_independent_of_input_size_for_elementwise_functions():
    student = CountingStudent(_acts())
    out = run_check(entry("swish_grad"), "gradcheck", student, Settings(gradcheck_examples=3))
    assert out.passed
    # per input (named samples + 3 drawn): 2 forward evaluations, whatever its size
    assert student.counts["swish"] <= 2 * (3 + len(entry("swish_grad").samples))


def test_unknown_check_is_a_clear_error():
    import pytest

    with pytest.raises(KeyError, match="has no check"):
        run_check(entry("relu"), "nonsense", _acts())


def test_every_entry_declares_consistent_checks():
    from dlgrade.checks.table import entries

    for e in entries().values():
        assert e.checks(), e.name
        if e.partner:
            assert "gradcheck" in e.checks()


def test_run_entry_on_reference_passes_everything():
    for out in run_entry(entry("softmax"), _acts()):
        assert out.passed, out.summary


def test_conv2d_backward_gradcheck_costs_a_bounded_number_of_forward_calls():
    """12 forward calls per checked input (2 directions x 3 arguments x 2 sides), independent of sizes."""
    ns = {e.name: e.reference for e in topic_entries("convolution")}
    student = CountingStudent(InProcessStudent(ns))
    e = entry("conv2d_backward")
    out = run_check(e, "gradcheck", student, Settings(gradcheck_examples=3))
    assert out.passed
    assert student.counts["conv2d_forward"] == 12 * (3 + len(e.samples))
    assert student.round_trips <= 2 * (3 + len(e.samples))
