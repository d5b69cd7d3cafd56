from s18_grades.grading import curve, letter, report


def test_curve_scales_best_to_top():
    assert curve([45, 90, 60]) == [50.0, 100.0, 66.7]


def test_curve_custom_top():
    assert curve([5, 10], top=20) == [10.0, 20.0]


def test_curve_empty():
    assert curve([]) == []


def test_curve_nonpositive_best_unchanged():
    assert curve([0, 0]) == [0, 0]
    assert curve([-5, -1]) == [-5, -1]


def test_curve_keeps_order_and_ties():
    assert curve([50, 50, 25]) == [100.0, 100.0, 50.0]


def test_letter_boundaries():
    assert [letter(s) for s in (90, 89.9, 80, 70, 60, 59.9, -3)] == ["A", "B", "B", "C", "D", "F", "F"]


def test_report():
    assert report([45, 90, 60]) == ["F", "A", "D"]
    assert report([]) == []
