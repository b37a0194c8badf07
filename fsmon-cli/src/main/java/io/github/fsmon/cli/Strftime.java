package io.github.fsmon.cli;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * The conversions of C's {@code strftime(3)} that {@code --timefmt} users write, in the C locale. An unknown
 * conversion is copied as it is.
 */
final class Strftime {

    private final String pattern;

    Strftime(String pattern) {
        this.pattern = pattern;
    }

    String format(ZonedDateTime t) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                s.append(c);
                continue;
            }
            char k = pattern.charAt(++i);
            switch (k) {
                case 'Y' -> s.append(t.getYear());
                case 'C' -> pad(s, t.getYear() / 100, 2);
                case 'y' -> pad(s, t.getYear() % 100, 2);
                case 'm' -> pad(s, t.getMonthValue(), 2);
                case 'd' -> pad(s, t.getDayOfMonth(), 2);
                case 'e' -> s.append(String.format(Locale.ROOT, "%2d", t.getDayOfMonth()));
                case 'j' -> pad(s, t.getDayOfYear(), 3);
                case 'H' -> pad(s, t.getHour(), 2);
                case 'k' -> s.append(String.format(Locale.ROOT, "%2d", t.getHour()));
                case 'I' -> pad(s, (t.getHour() + 11) % 12 + 1, 2);
                case 'l' -> s.append(String.format(Locale.ROOT, "%2d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> pad(s, t.getMinute(), 2);
                case 'S' -> pad(s, t.getSecond(), 2);
                case 'p' -> s.append(t.getHour() < 12 ? "AM" : "PM");
                case 'P' -> s.append(t.getHour() < 12 ? "am" : "pm");
                case 'a' -> s.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'A' -> s.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ROOT));
                case 'b', 'h' -> s.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'B' -> s.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ROOT));
                case 'u' -> s.append(t.getDayOfWeek().getValue());
                case 'w' -> s.append(t.getDayOfWeek().getValue() % 7);
                case 'V' -> pad(s, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2);
                case 'G' -> s.append(t.get(IsoFields.WEEK_BASED_YEAR));
                case 's' -> s.append(t.toEpochSecond());
                case 'N' -> pad(s, t.get(ChronoField.NANO_OF_SECOND), 9); // GNU date's, handy for tests
                case 'z' -> s.append(t.getOffset().getId().equals("Z") ? "+0000"
                        : t.getOffset().getId().replace(":", ""));
                case 'Z' -> s.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ROOT));
                case 'F' -> s.append(new Strftime("%Y-%m-%d").format(t));
                case 'T' -> s.append(new Strftime("%H:%M:%S").format(t));
                case 'R' -> s.append(new Strftime("%H:%M").format(t));
                case 'D' -> s.append(new Strftime("%m/%d/%y").format(t));
                case 'r' -> s.append(new Strftime("%I:%M:%S %p").format(t));
                case 'c' -> s.append(new Strftime("%a %b %e %H:%M:%S %Y").format(t));
                case 'x' -> s.append(new Strftime("%m/%d/%y").format(t));
                case 'X' -> s.append(new Strftime("%H:%M:%S").format(t));
                case 'n' -> s.append('\n');
                case 't' -> s.append('\t');
                case '%' -> s.append('%');
                default -> s.append('%').append(k);
            }
        }
        return s.toString();
    }

    private static void pad(StringBuilder s, int value, int width) {
        String v = Integer.toString(value);
        for (int i = v.length(); i < width; i++) {
            s.append('0');
        }
        s.append(v);
    }
}
