"""Site-local times: formatting with the UTC offset, reading local times typed in a site's zone."""

import pytest

from viewer.model.site_time import TimeDisplay, display_for, parse_site_time, zone

# 2025-03-03T14:20:00Z: 09:20 in Detroit (EST, UTC-05:00), 23:20 in Seoul (UTC+09:00).
MOMENT = 1741011600.0


def test_text_in_site_zone_with_offset():
    assert TimeDisplay("America/Detroit").text(MOMENT) == "2025-03-03 09:20:00 (UTC-05:00)"
    assert TimeDisplay("Asia/Seoul").text(MOMENT, with_date=False) == "23:20:00 (UTC+09:00)"
    assert TimeDisplay("Asia/Seoul", utc=True).text(MOMENT) == "2025-03-03 14:20:00 (UTC)"
    assert TimeDisplay("Asia/Seoul", utc=True).label == "UTC"


def test_daylight_saving_changes_the_offset():
    summer = MOMENT + 120 * 86400
    assert TimeDisplay("America/Detroit").offset(summer) == "UTC-04:00"


def test_iso_round_trip():
    for name in ("America/Detroit", "Asia/Seoul", "UTC"):
        text = TimeDisplay(name).iso(MOMENT)
        assert parse_site_time(text) == MOMENT
    assert TimeDisplay("America/Detroit").iso(MOMENT) == "2025-03-03T09:20:00-05:00"
    assert TimeDisplay("UTC").iso(MOMENT) == "2025-03-03T14:20:00Z"


def test_local_time_is_read_in_the_site_zone():
    assert parse_site_time("2025-03-03T09:20", "America/Detroit") == MOMENT
    assert parse_site_time("2025-03-03T23:20:00", "Asia/Seoul") == MOMENT
    assert parse_site_time("2025-03-03T14:20:00Z", "Asia/Seoul") == MOMENT
    assert parse_site_time(str(MOMENT), "Asia/Seoul") == MOMENT


def test_skipped_local_time_is_refused():
    with pytest.raises(ValueError, match="does not exist in America/Detroit"):
        parse_site_time("2025-03-09T02:30", "America/Detroit")


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="expected epoch seconds or ISO 8601"):
        parse_site_time("yesterday", "UTC")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")


def test_zone_text_offset_seconds_and_tick_formats():
    seoul, detroit = TimeDisplay("Asia/Seoul"), TimeDisplay("America/Detroit")
    assert seoul.zone_text(MOMENT) == "Asia/Seoul, UTC+09:00"
    assert TimeDisplay("Asia/Seoul", utc=True).zone_text(MOMENT) == "UTC"
    assert seoul.offset_seconds(MOMENT) == 9 * 3600 and detroit.offset_seconds(MOMENT) == -5 * 3600
    assert seoul.strftime(MOMENT, "%H:%M") == "23:20" and detroit.strftime(MOMENT, "%a %d") == "Mon 03"
    assert seoul.strftime(1e20, "%H:%M") == ""  # beyond the calendar: no tick text rather than an error


def test_typed_times_are_read_in_the_zone_shown():
    assert TimeDisplay("Asia/Seoul").input_zone == "Asia/Seoul"
    assert TimeDisplay("Asia/Seoul", utc=True).input_zone == "UTC"


def test_display_for_an_unknown_or_missing_zone_is_utc():
    assert display_for("Asia/Seoul") == TimeDisplay("Asia/Seoul")
    assert display_for("Mars/Olympus", utc=True) == TimeDisplay("UTC", utc=True)
    assert display_for(None).text(MOMENT) == "2025-03-03 14:20:00 (UTC)"
