package io.github.fsmon.cli;

import java.time.Duration;
import java.util.Locale;

/** Reads durations such as {@code 100ms}, {@code 2s}, {@code 1.5s}, {@code 1m}; a bare number is milliseconds. */
final class Durations {

    private Durations() {
    }

    static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        String unit = s.replaceFirst("^[0-9.]+", "");
        String number = s.substring(0, s.length() - unit.length());
        if (number.isEmpty()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 100ms, 2s, 1m)");
        }
        double value = Double.parseDouble(number);
        double nanos = switch (unit) {
            case "", "ms" -> value * 1e6;
            case "us" -> value * 1e3;
            case "ns" -> value;
            case "s" -> value * 1e9;
            case "m", "min" -> value * 60e9;
            case "h" -> value * 3600e9;
            default -> throw new IllegalArgumentException("unknown unit in '" + text + "' (use ms, s, m or h)");
        };
        return Duration.ofNanos(Math.round(nanos));
    }
}
