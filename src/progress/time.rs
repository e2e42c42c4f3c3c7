//! Times: an RFC 3339 `updated` as an instant (so that `2025-03-01T10:00:00+01:00` and
//! `2025-03-01T09:00:00Z` compare equal), the current time, and the times trackers write in
//! their exports, made RFC 3339.
//!
//! The exports write times in several ways (see each reader in `src/sync/`):
//!
//! - GitHub (`gh issue list --json closedAt,updatedAt`): RFC 3339, `2025-03-01T09:30:00Z`;
//! - GitLab ("Closed At (UTC)", "Updated At (UTC)"): `2025-03-01 09:30:00`, in UTC (Rails'
//!   `Time::DATE_FORMATS[:csv]`, `%Y-%m-%d %H:%M:%S`, in GitLab's
//!   `config/initializers/date_time_formats.rb`);
//! - Jira ("Resolved", "Updated"): the exporting user's date format and time zone, by default
//!   `01/Mar/25 9:30 AM` (`dd/MMM/yy h:mm a`, English month names), with no zone;
//! - Azure DevOps ("Closed Date", "Changed Date"): the exporting user's date and time patterns
//!   and time zone (profile settings), such as `3/1/2025 9:30:00 AM` (en-US), `01/03/2025 09:30`
//!   or `01.03.2025 09:30`, or ISO `2025-03-01 09:30`, with no zone.
//!
//! [`from_export`] reads all of these. A time without a zone is taken in the [`Zone`] given
//! (`--time-zone`, UTC by default) and written with it as its offset. A date of numbers
//! separated by `/` is read month first (`M/d/yyyy`, as en-US writes it) unless [`order_of`]
//! finds in the export a date whose first number is over 12 and none whose second is; a date
//! separated by `.` is day first (`d.M.yyyy`); a two-digit year is 20yy.

use super::is_rfc3339;

/// An instant: seconds since 1970-01-01T00:00:00Z, and nanoseconds.
pub type Instant = (i64, u32);

/// The instant `s` (an RFC 3339 time) stands for; `None` when it is not one. A leap second
/// (`:60`) is the first second of the next minute.
pub fn instant(s: &str) -> Option<Instant> {
    if !is_rfc3339(s) {
        return None;
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> i64 {
        b[r].iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'))
    };
    let days = days_from_civil(num(0..4), num(5..7), num(8..10));
    let mut secs = days * 86_400 + num(11..13) * 3600 + num(14..16) * 60 + num(17..19);
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        i += 1;
        let mut scale = 100_000_000u32;
        while b[i].is_ascii_digit() {
            nanos += u32::from(b[i] - b'0') * scale;
            scale /= 10;
            i += 1;
        }
    }
    if matches!(b[i], b'+' | b'-') {
        let offset = num(i + 1..i + 3) * 3600 + num(i + 4..i + 6) * 60;
        secs -= if b[i] == b'+' { offset } else { -offset };
    }
    Some((secs, nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a number of days since 1970-01-01 (`civil_from_days`): (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `secs` since the epoch as RFC 3339 in UTC, whole seconds: `2025-03-01T09:30:00Z`.
pub fn utc(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The current time, RFC 3339 in UTC, whole seconds. When the environment variable
/// `SOURCE_DATE_EPOCH` holds a number of seconds since the epoch
/// (<https://reproducible-builds.org/specs/source-date-epoch/>), that time stands for now,
/// so that a run can be repeated byte for byte.
pub fn now() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok());
    let secs = fixed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    utc(secs)
}

/// A fixed offset from UTC, in minutes east, for the times an export writes without one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Zone(pub i32);

impl Zone {
    /// `Z` or `UTC` (any case), or `+HH:MM` / `-HH:MM` (`+HHMM` and `+HH` too), hours up to
    /// 23 and minutes up to 59.
    pub fn parse(s: &str) -> Result<Zone, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
            return Ok(Zone(0));
        }
        offset(s).map(Zone).ok_or_else(|| {
            format!("`{s}` is not a time zone offset: give `UTC`, or `+HH:MM` or `-HH:MM`, such as `+01:00`")
        })
    }

    /// As RFC 3339 writes it: `Z`, or `+01:00`.
    pub fn suffix(self) -> String {
        if self.0 == 0 {
            return "Z".to_string();
        }
        let sign = if self.0 < 0 { '-' } else { '+' };
        let m = self.0.unsigned_abs();
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// `+HH:MM`, `+HHMM` or `+HH` (or `-`), in minutes east of UTC.
fn offset(s: &str) -> Option<i32> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|&c| c != ':').collect();
    let colons = s[1..].matches(':').count();
    if !digits.chars().all(|c| c.is_ascii_digit())
        || !matches!(digits.len(), 2 | 4)
        || colons > 1
        || (colons == 1 && !(s.len() == 6 && s.as_bytes()[3] == b':'))
    {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 60 + m))
}

/// How a date of numbers separated by `/` is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// `M/d/yyyy`, as en-US writes dates.
    #[default]
    MonthFirst,
    /// `d/M/yyyy`.
    DayFirst,
}

/// The order of an export's `/` dates: day first when a date's first number is over 12 and
/// no date's second number is; else month first.
pub fn order_of<'a>(cells: impl IntoIterator<Item = &'a str>) -> Order {
    let (mut day_first, mut month_first) = (false, false);
    for cell in cells {
        let date = cell.split_whitespace().next().unwrap_or("");
        let parts: Vec<&str> = date.split('/').collect();
        if parts.len() != 3 {
            continue;
        }
        let (Ok(a), Ok(b)) = (parts[0].parse::<u32>(), parts[1].parse::<u32>()) else {
            continue;
        };
        day_first |= a > 12;
        month_first |= b > 12;
    }
    if day_first && !month_first {
        Order::DayFirst
    } else {
        Order::MonthFirst
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A time as an export writes it, made RFC 3339: RFC 3339 is kept as it is; any other form
/// the module lists is read, in `zone` unless it gives its own (`Z`, `UTC`, an offset).
/// `None` when the cell is not a time of those forms (or not a real date).
pub fn from_export(cell: &str, zone: Zone, order: Order) -> Option<String> {
    let cell = cell.trim();
    if is_rfc3339(cell) {
        return Some(cell.to_string());
    }
    // The date, then the rest: an ISO date may be joined to its time by `T`.
    let iso_t = cell.len() > 10 && matches!(cell.as_bytes()[10], b'T' | b't');
    let (date, rest) = match cell.find(' ') {
        _ if iso_t => (&cell[..10], cell[11..].trim()),
        Some(i) => (&cell[..i], cell[i + 1..].trim()),
        None => (cell, ""),
    };
    let (year, month, day) = date_of(date, order)?;
    let mut words = rest.split_whitespace().peekable();
    let (mut hour, mut minute, mut second, mut fraction) = (0u32, 0u32, 0u32, String::new());
    let mut own_zone = None;
    if let Some(clock) = words.next() {
        // `09:30`, `09:30:00`, `09:30:00.123`, each perhaps with its zone joined (`Z`, `+01:00`).
        let (clock, joined) = match clock.find(['Z', 'z', '+', '-']) {
            Some(i) => (&clock[..i], Some(&clock[i..])),
            None => (clock, None),
        };
        let mut fields = clock.split(':');
        hour = fields.next()?.parse().ok()?;
        minute = two_digits(fields.next()?)?;
        if let Some(s) = fields.next() {
            let (s, frac) = s.split_once('.').unwrap_or((s, ""));
            second = two_digits(s)?;
            if !frac.is_empty() {
                if !frac.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                fraction = format!(".{frac}");
            }
        }
        if fields.next().is_some() {
            return None;
        }
        if let Some(z) = joined {
            own_zone = Some(Zone::parse(z).ok()?);
        }
        if let Some(w) = words.peek() {
            let half = if w.eq_ignore_ascii_case("am") {
                Some(0)
            } else if w.eq_ignore_ascii_case("pm") {
                Some(12)
            } else {
                None
            };
            if let Some(half) = half {
                if !(1..=12).contains(&hour) {
                    return None;
                }
                hour = hour % 12 + half;
                words.next();
            }
        }
        if let Some(z) = words.next() {
            if own_zone.is_some() {
                return None;
            }
            own_zone = Some(Zone::parse(z).ok()?);
        }
        if words.next().is_some() {
            return None;
        }
    }
    let zone = own_zone.unwrap_or(zone);
    let out = format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{}",
        zone.suffix()
    );
    is_rfc3339(&out).then_some(out)
}

fn two_digits(s: &str) -> Option<u32> {
    (s.len() == 2 && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `yyyy-MM-dd`, `dd/MMM/yy` (Jira), `M/d/yyyy` or `d/M/yyyy` (by `order`), `d.M.yyyy`.
fn date_of(date: &str, order: Order) -> Option<(u32, u32, u32)> {
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let year = |s: &str| -> Option<u32> {
        match s.len() {
            2 => number(s).map(|y| 2000 + y),
            4 => number(s),
            _ => None,
        }
    };
    if let [y, m, d] = date.split('-').collect::<Vec<_>>()[..] {
        return (y.len() == 4).then_some((number(y)?, number(m)?, number(d)?));
    }
    if let [a, b, c] = date.split('/').collect::<Vec<_>>()[..] {
        if let Some(m) = MONTHS.iter().position(|m| b.eq_ignore_ascii_case(m)) {
            return Some((year(c)?, m as u32 + 1, number(a)?));
        }
        let (a, b) = (number(a)?, number(b)?);
        return Some(match order {
            Order::MonthFirst => (year(c)?, a, b),
            Order::DayFirst => (year(c)?, b, a),
        });
    }
    if let [d, m, y] = date.trim_end_matches('.').split('.').collect::<Vec<_>>()[..] {
        return Some((year(y)?, number(m)?, number(d)?));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            instant("2025-03-01T10:00:00+01:00"),
            instant("2025-03-01T09:00:00Z")
        );
        assert_eq!(
            instant("2025-03-01T09:00:00.25Z").map(|i| i.1),
            Some(250_000_000)
        );
        assert_eq!(instant("2000-02-29T00:00:00Z"), Some((951_782_400, 0)));
        assert_eq!(instant("1969-12-31T23:59:59Z"), Some((-1, 0)));
        assert!(instant("2025-03-01T09:00:00.1Z") > instant("2025-03-01T09:00:00Z"));
        assert_eq!(instant("yesterday"), None);
    }

    #[test]
    fn utc_round_trips() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2025-03-01T09:30:00Z",
            "2100-12-31T00:00:01Z",
        ] {
            assert_eq!(utc(instant(s).expect("time").0), s);
        }
    }

    #[test]
    fn zones() {
        assert_eq!(Zone::parse("UTC"), Ok(Zone(0)));
        assert_eq!(Zone::parse("+01:00"), Ok(Zone(60)));
        assert_eq!(Zone::parse("-0530"), Ok(Zone(-330)));
        assert_eq!(Zone::parse("+02"), Ok(Zone(120)));
        assert!(Zone::parse("+24:00").is_err());
        assert!(Zone::parse("Europe/Paris").is_err());
        assert_eq!(Zone(-330).suffix(), "-05:30");
        assert_eq!(Zone(0).suffix(), "Z");
    }

    #[test]
    fn export_times() {
        let z = Zone(60);
        let m = Order::MonthFirst;
        for (cell, want) in [
            ("2025-03-01T09:30:00Z", Some("2025-03-01T09:30:00Z")),
            ("2025-03-01 09:30:00", Some("2025-03-01T09:30:00+01:00")),
            ("2025-03-01 09:30:00 UTC", Some("2025-03-01T09:30:00Z")),
            ("2025-03-01T09:30", Some("2025-03-01T09:30:00+01:00")),
            ("01/Mar/25 9:30 AM", Some("2025-03-01T09:30:00+01:00")),
            ("01/mar/2025 12:05 AM", Some("2025-03-01T00:05:00+01:00")),
            ("1/Mar/25 12:05 PM", Some("2025-03-01T12:05:00+01:00")),
            ("3/1/2025 9:30:00 PM", Some("2025-03-01T21:30:00+01:00")),
            ("01.03.2025 09:30", Some("2025-03-01T09:30:00+01:00")),
            ("2025-03-01", Some("2025-03-01T00:00:00+01:00")),
            (
                "2025-03-01 09:30:00.5 -05:00",
                Some("2025-03-01T09:30:00.5-05:00"),
            ),
            ("2025-02-29 09:30", None),
            ("01/Foo/25 9:30 AM", None),
            ("13:30 PM", None),
            ("3/1/2025 13:30 PM", None),
            ("", None),
            ("soon", None),
        ] {
            assert_eq!(from_export(cell, z, m).as_deref(), want, "{cell}");
        }
        assert_eq!(
            from_export("3/1/2025 9:30", Zone(0), Order::DayFirst).as_deref(),
            Some("2025-01-03T09:30:00Z")
        );
    }

    #[test]
    fn orders() {
        assert_eq!(order_of(["3/1/2025 9:30", "4/2/2025"]), Order::MonthFirst);
        assert_eq!(order_of(["3/1/2025 9:30", "14/2/2025"]), Order::DayFirst);
        assert_eq!(order_of(["14/2/2025", "2/14/2025"]), Order::MonthFirst);
        assert_eq!(order_of(["01/Mar/25 9:30 AM"]), Order::MonthFirst);
    }
}
