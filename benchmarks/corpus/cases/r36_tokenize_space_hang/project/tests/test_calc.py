import pytest

from r36_calc.calc import evaluate, tokenize


def test_tokenize_compact():
    assert tokenize("12+3*(4-5)") == [12, "+", 3, "*", "(", 4, "-", 5, ")"]


def test_tokenize_with_spaces():
    assert tokenize(" 7 *  8 ") == [7, "*", 8]


def test_tokenize_rejects_letters():
    with pytest.raises(ValueError):
        tokenize("2+x")


def test_evaluate_precedence():
    assert evaluate("2+3*4") == 14


def test_evaluate_left_to_right():
    assert evaluate("10-4-3") == 3


def test_evaluate_parentheses():
    assert evaluate("(2+3)*4") == 20


def test_evaluate_spaced_expression():
    assert evaluate("1 + 2 * (3 + 4)") == 15


def test_evaluate_missing_parenthesis():
    with pytest.raises(ValueError):
        evaluate("(1+2")


def test_evaluate_trailing_operator():
    with pytest.raises(ValueError):
        evaluate("1+")
