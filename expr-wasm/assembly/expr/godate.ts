// Go time layout formatting ("2006-01-02T15:04:05Z07:00") of a UTC unix time, for sprig.date.

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function pad(v: i64, w: i32): string {
  return v.toString().padStart(w, "0");
}

/** Formats unix seconds `t` (UTC) with Go reference-time `layout`. */
export function formatGoDate(layout: string, t: i64): string {
  let days = t / 86400;
  let secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  // civil-from-days (Howard Hinnant)
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let y = yoe + era * 400;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  const hh = secs / 3600;
  const mm = (secs % 3600) / 60;
  const ss = secs % 60;
  const wd = <i32> (((days % 7) + 11) % 7); // 1970-01-01 was a Thursday (4)
  let out = "";
  let i = 0;
  const L = layout;
  while (i < L.length) {
    const rest = L.substring(i);
    if (rest.startsWith("2006")) {
      out += pad(y, 4);
      i += 4;
      continue;
    }
    if (rest.startsWith("January")) {
      out += MONTHS[<i32> m - 1];
      i += 7;
      continue;
    }
    if (rest.startsWith("Jan")) {
      out += MONTHS[<i32> m - 1].substring(0, 3);
      i += 3;
      continue;
    }
    if (rest.startsWith("Monday")) {
      out += DAYS[wd];
      i += 6;
      continue;
    }
    if (rest.startsWith("Mon")) {
      out += DAYS[wd].substring(0, 3);
      i += 3;
      continue;
    }
    if (rest.startsWith("MST")) {
      out += "UTC";
      i += 3;
      continue;
    }
    if (rest.startsWith("Z07:00")) {
      out += "Z";
      i += 6;
      continue;
    }
    if (rest.startsWith("-07:00")) {
      out += "+00:00";
      i += 6;
      continue;
    }
    if (rest.startsWith("-0700")) {
      out += "+0000";
      i += 5;
      continue;
    }
    if (rest.startsWith("01")) {
      out += pad(m, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("02")) {
      out += pad(d, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("_2")) {
      out += d < 10 ? " " + d.toString() : d.toString();
      i += 2;
      continue;
    }
    if (rest.startsWith("06")) {
      out += pad(y % 100, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("15")) {
      out += pad(hh, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("03")) {
      out += pad(hh % 12 == 0 ? 12 : hh % 12, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("04")) {
      out += pad(mm, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("05")) {
      out += pad(ss, 2);
      i += 2;
      continue;
    }
    if (rest.startsWith("PM")) {
      out += hh >= 12 ? "PM" : "AM";
      i += 2;
      continue;
    }
    if (rest.startsWith("pm")) {
      out += hh >= 12 ? "pm" : "am";
      i += 2;
      continue;
    }
    if (rest.startsWith("1")) {
      out += m.toString();
      i += 1;
      continue;
    }
    if (rest.startsWith("2")) {
      out += d.toString();
      i += 1;
      continue;
    }
    if (rest.startsWith("3")) {
      out += (hh % 12 == 0 ? 12 : hh % 12).toString();
      i += 1;
      continue;
    }
    if (rest.startsWith("4")) {
      out += mm.toString();
      i += 1;
      continue;
    }
    if (rest.startsWith("5")) {
      out += ss.toString();
      i += 1;
      continue;
    }
    out += L.charAt(i);
    i++;
  }
  return out;
}
