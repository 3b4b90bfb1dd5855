"""balkanarms.gates: where a line from a faraway supplier enters the map frame."""

import math

import pytest

from balkanarms import gates

FRAME = (0.0, 400.0, 0.0, 200.0)  # x0, x1, y0, y1
INSET = 10.0


@pytest.mark.parametrize(
    "to, expected",
    [((0.0, 10.0), 0.0), ((10.0, 0.0), 90.0), ((0.0, -10.0), 180.0), ((-10.0, 0.0), 270.0)],
    ids=["north", "east", "south", "west"],
)
def test_bearing_of_the_four_directions(to, expected):
    got = gates.bearing(0.0, 0.0, *to)
    assert min(abs(got - expected), 360 - abs(got - expected)) < 1e-9


def test_bearing_follows_the_great_circle():
    # Belgrade to Beijing starts east-north-east, not due east as on a flat map
    assert 50 < gates.bearing(20.46, 44.8, 116.4, 39.9) < 70
    assert 0 <= gates.bearing(20.46, 44.8, -77.04, 38.9) < 360


def test_mean_bearing_is_circular_and_weighted():
    north = gates.mean_bearing([350.0, 10.0])  # across north, not the arithmetic mean 180
    assert min(north, 360.0 - north) < 1e-9
    assert gates.mean_bearing([0.0, 90.0], [3.0, 1.0]) < 45.0  # pulled towards the heavier one


#: Three or more gates close together: a push can move a gate past its neighbour, and the modular
#: gap then reads as large, so the loop stops with two gates on top of each other (found by these
#: tests; reported, not fixed here: gates.py is not this change's).


def test_spread_separates_two_close_positions_and_leaves_far_ones():
    out = gates.spread({"a": 10.0, "b": 11.0}, period=100.0, min_sep=5.0)
    assert out["a"] < out["b"] and out["b"] - out["a"] >= 5.0 - 1e-6
    assert out["a"] + out["b"] == pytest.approx(21.0)  # each moved as little as the other
    assert gates.spread({"a": 10.0, "b": 60.0}, period=100.0, min_sep=5.0) == {"a": 10.0, "b": 60.0}


def test_spread_keeps_order_and_separation():
    out = gates.spread({"a": 10.0, "b": 11.0, "c": 12.0}, period=100.0, min_sep=5.0)
    pos = [out[k] for k in ("a", "b", "c")]
    assert pos == sorted(pos)
    gaps = [(pos[1] - pos[0]) % 100, (pos[2] - pos[1]) % 100, (pos[0] - pos[2]) % 100]
    assert min(gaps) >= 5.0 - 1e-6


@pytest.mark.parametrize("angle", [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0, 12.5])
def test_a_ray_meets_the_ring_and_round_trips_along_it(angle):
    x, y = gates.on_ring(angle, FRAME, INSET)
    x0, x1, y0, y1 = FRAME
    on_side = [abs(x - (x0 + INSET)), abs(x - (x1 - INSET)), abs(y - (y0 + INSET)), abs(y - (y1 - INSET))]
    assert min(on_side) < 1e-6  # on the ring
    s = gates.along_ring((x, y), FRAME, INSET)
    assert gates.point_on_ring(s, FRAME, INSET) == pytest.approx((x, y))


def test_north_meets_the_top_edge_above_the_centre():
    assert gates.on_ring(0.0, FRAME, INSET) == pytest.approx((200.0, 190.0))
    assert gates.on_ring(90.0, FRAME, INSET) == pytest.approx((390.0, 100.0))


def test_a_point_off_the_ring_is_refused():
    with pytest.raises(ValueError):
        gates.along_ring((200.0, 100.0), FRAME, INSET)


def test_place_moves_two_close_gates_apart_along_the_ring():
    placed = gates.place({"A": 0.0, "B": 1.0, "D": 180.0}, FRAME, inset=INSET, min_gap=40.0)
    a, b = (gates.along_ring(placed[k], FRAME, INSET) for k in ("A", "B"))
    assert b - a == pytest.approx(40.0, abs=1e-3)
    assert math.dist(placed["D"], (200.0, 10.0)) < 1e-6  # alone to the south: not moved


def test_place_keeps_gates_on_the_ring_and_apart():
    placed = gates.place({"A": 0.0, "B": 1.0, "C": 2.0, "D": 180.0}, FRAME, inset=INSET, min_gap=40.0)
    assert set(placed) == {"A", "B", "C", "D"}
    along = sorted(gates.along_ring(p, FRAME, INSET) for p in placed.values())
    perimeter = 2 * (FRAME[1] - FRAME[0] - 2 * INSET) + 2 * (FRAME[3] - FRAME[2] - 2 * INSET)
    gaps = [b - a for a, b in zip(along, along[1:])] + [along[0] + perimeter - along[-1]]
    assert min(gaps) >= 40.0 - 1e-3
    assert math.dist(placed["D"], (200.0, 10.0)) < 1e-6  # alone to the south: not moved
