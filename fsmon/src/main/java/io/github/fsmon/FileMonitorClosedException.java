package io.github.fsmon;

/** The {@link FileMonitor} was closed: pending futures fail with this, and new requests are refused. */
public class FileMonitorClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public FileMonitorClosedException() {
        super("the file monitor is closed");
    }
}
