"""The checker machinery never raises and explains what went wrong."""
import numpy as np

from lstm_book.exercises.feedback import Verdict, call_safely, compare_to_reference, report


def reference(x):
    return 2 * x


CASES = [(np.arange(3.0),), (np.ones((2, 2)),)]
MISTAKES = [(lambda x: 3 * x, "You multiplied by 3.")]


def run(fn):
    return compare_to_reference(fn, reference, CASES, MISTAKES, what="your f", expected_letters="(N,)")


def test_correct_answer_passes():
    passed, messages = run(lambda x: x + x)
    assert passed and messages == ["All 2 cases match the reference implementation."]


def test_known_slip_gets_its_hint():
    passed, messages = run(lambda x: 3 * x)
    assert not passed and "You multiplied by 3." in messages


def test_unknown_slip_gets_generic_advice():
    passed, messages = run(lambda x: x - 1)
    assert not passed and "No common slip matches" in messages[-1]


def test_raising_none_tuple_wrong_shape_nan_and_non_callable():
    def raises(x):
        raise NotImplementedError("todo")

    cases = {
        raises: "raised NotImplementedError: todo",
        (lambda x: None): "returned None",
        (lambda x: (x, x)): "returned a tuple of 2 items",
        (lambda x: "text"): "not an array of numbers",
        (lambda x: x[:1]): "returned shape (1,); expected (N,) = (3,)",
        (lambda x: x * np.nan): "NaN or infinity",
        42: "Expected a function, got a int",
    }
    for fn, needle in cases.items():
        passed, messages = run(fn)
        assert not passed and any(needle in m for m in messages), (needle, messages)


def test_call_safely_reports_the_line():
    def broken(x):
        return x.undefined_attribute

    result, message = call_safely(broken, 1)
    assert result is None and "AttributeError" in message and "line" in message


def test_report_prints_and_verdict_is_truthy_only_on_success(capsys):
    verdict = report("title", ["one", "two"], True)
    out = capsys.readouterr().out
    assert out.splitlines() == ["✓ title", "   one", "   two"]
    assert verdict and isinstance(verdict, Verdict) and repr(verdict) == "Verdict(passed=True)"
    assert not report("title", [], False)


def test_slider_checkers_print_the_verdict_and_give_html(capsys):
    from lstm_book.exercises.feedback import error_hints, matching_hints, slider_checkers

    def verdict(x):
        return x > 1, [f"x = {x}"]

    check, feedback = slider_checkers("demo", verdict, "Print whether x > 1.")
    assert bool(check(2)) and "demo: target reached" in capsys.readouterr().out
    assert not check(0) and "demo: not yet" in capsys.readouterr().out
    assert "x = 2" in feedback(2) and "x = 2" in feedback(x=2) and check.__doc__ == "Print whether x > 1."
    known = [(("matmul",), "shapes")]
    assert matching_hints("matmul: mismatch", known) == ["shapes"]
    assert error_hints(["f raised ValueError: matmul mismatch"], known) == ["shapes"]
    assert error_hints(["wrong values"], known) == [] and error_hints([], known) == []


def test_an_error_inside_numpy_or_the_library_points_to_the_readers_line():
    """The line quoted is the reader's own, not numpy's or lstm_lib's validation code."""
    from lstm_book.exercises.feedback import call_safely
    from lstm_lib.rnn import init_rnn_params, rnn_step

    params = init_rnn_params(3, 2, np.random.default_rng(0))

    def answer(x_t, h_prev):
        out = rnn_step(x_t, h_prev, params)
        return rnn_step(x_t, out, params)  # the pair passed on as the state

    _, message = call_safely(answer, np.ones((1, 3)), np.zeros((1, 2)))
    assert "unpack it" in message and "return rnn_step(x_t, out, params)" in message

    def numpy_answer(a):
        return np.split(a, 3, axis=1)

    _, message = call_safely(numpy_answer, np.ones((2, 4)))
    assert "`return np.split(a, 3, axis=1)`" in message


def test_starting_code_is_told_what_to_do_not_shown_an_error(capsys):
    def stub(x):
        raise NotImplementedError("your code here")

    verdict = report("f: not yet", run(stub)[1], False)
    out = capsys._capsys.readouterr().out  # as printed, wrapped
    assert not verdict
    assert out.startswith("○ f: waiting for your code\n") and "✗" not in out
    assert "It still raises NotImplementedError: your code here" in " ".join(out.split())
    assert "raised" not in out


def test_printed_feedback_fits_the_text_column(capsys):
    report("f: not yet", ["word " * 60, "a\nb"], False)
    lines = capsys._capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 80 and lines[-2:] == ["   a", "   b"]
    assert all(line.startswith("     ") for line in lines[2:-2])  # continuations indented
