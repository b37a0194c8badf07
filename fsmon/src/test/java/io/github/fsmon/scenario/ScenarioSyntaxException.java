package io.github.fsmon.scenario;

/**
 * A scenario script that cannot be parsed. The message names the script and the line, so a typo in one
 * script is reported as a failure of that script alone.
 */
public final class ScenarioSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;

    public ScenarioSyntaxException(String script, int line, String message) {
        super(script + ":" + line + ": " + message);
        this.line = line;
    }

    /** The 1-based line the problem is on. */
    public int line() {
        return line;
    }
}
