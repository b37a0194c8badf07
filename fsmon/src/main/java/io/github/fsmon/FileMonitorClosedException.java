package io.github.fsmon;

/**
 * The {@link FileMonitor} was closed: pending futures fail with this, and new requests are refused. When
 * the monitor closed itself because it could no longer deliver (its listener executor refused a task),
 * {@link #getCause()} says why.
 */
public class FileMonitorClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The monitor was closed by its owner. */
    public FileMonitorClosedException() {
        super("the file monitor is closed");
    }

    /**
     * A monitor that closed itself.
     *
     * @param message what was refused or failed
     * @param cause   why the monitor closed itself
     */
    public FileMonitorClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
