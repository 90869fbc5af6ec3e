"""The read benchmarks read windows of the seeded history, never of the clock.

A bench database is seeded once and run many times, and every recording benchmark adds rows
at the time it runs. Windows taken from the clock moved with the hour: a run just after
midnight read "yesterday" as the day earlier runs had filled with hundreds of thousands of
recorded rows (the superadmin's day then seq-scanned, for the owner too, and the plan gate
failed), and a month a few minutes old as "this period". Taken from the seed's anchor (where
its history ends), every run reads the same seeded rows. And "this period" is half a month
of them whatever the date: the calendar month so far held 5 of a user's rows when the
database was seeded on the 1st.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aimodels.bench.hot_reads import history_windows

ANCHOR = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # seeded at 23:xx on 30 November


def test_the_windows_are_the_seeded_historys_whatever_the_clock() -> None:
    windows = history_windows(ANCHOR)
    assert (windows.period_start, windows.period_end) == (
        datetime(2026, 11, 15, 23, 0, tzinfo=UTC),
        ANCHOR,
    )
    assert (windows.month_start, windows.month_end) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert (windows.day_start, windows.day_end) == (
        datetime(2026, 11, 29, tzinfo=UTC),
        datetime(2026, 11, 30, tzinfo=UTC),
    )


def test_seeded_in_a_months_first_hour_the_month_and_day_are_those_just_ended() -> None:
    windows = history_windows(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))  # seeded at 00:23
    assert (windows.month_start, windows.day_start, windows.day_end) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 11, 29, tzinfo=UTC),
        datetime(2026, 11, 30, tzinfo=UTC),
    )


def test_the_closed_windows_end_before_the_rows_the_benchmarks_record() -> None:
    for anchor in (
        ANCHOR,
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 5, tzinfo=UTC),
    ):
        windows = history_windows(anchor)
        assert windows.month_end <= anchor and windows.day_end <= anchor
        assert windows.month_start < windows.month_end and windows.day_start < windows.day_end
        assert windows.period_end == anchor
        assert windows.period_end - windows.period_start == timedelta(days=15)


def test_this_period_holds_as_much_history_on_the_first_as_on_the_last_of_a_month() -> None:
    first = history_windows(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    last = history_windows(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    assert first.period_end - first.period_start == last.period_end - last.period_start
