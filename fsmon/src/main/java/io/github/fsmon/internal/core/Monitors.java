package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Creates monitors; the public {@link FileMonitor.Builder} lands here. */
public final class Monitors {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");

    private Monitors() {
    }

    public static FileMonitor create(MonitorConfig config) throws IOException {
        Backends.Choice choice = Backends.choose(config.backend());
        Engine engine = new Engine(Backends.factory(config, choice.backend()), choice.reason(), config);
        engine.start();
        LOG.log(System.Logger.Level.DEBUG, "fsmon monitor started with backend {0} (requested {1})",
                engine.backend(), config.backend());
        return new MonitorImpl(engine);
    }

    /**
     * Completes once the monitor's I/O thread has processed every OS event caused before the call, even
     * while its listeners are blocked; see {@link Engine#readBarrier()}. Not part of the API: for tests.
     */
    public static CompletableFuture<Void> readBarrier(FileMonitor monitor) {
        return ((MonitorImpl) monitor).engine.readBarrier();
    }

    /** The monitor facade: every call becomes a request to the engine's I/O thread. */
    static final class MonitorImpl implements FileMonitor {
        private final Engine engine;
        private final Backend backend;

        MonitorImpl(Engine engine) {
            this.engine = engine;
            this.backend = engine.backend();
        }

        @Override
        public CompletableFuture<Watch> watch(Path path, WatchOptions options, FileEventListener listener) {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(listener, "listener");
            return engine.watch(path, options, listener);
        }

        @Override
        public io.github.fsmon.EventStream stream(Path path, WatchOptions options) throws IOException {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(options, "options");
            EventHandoff handoff = new EventHandoff();
            Runnable hook = handoff::monitorClosed;
            engine.onClose(hook);
            try {
                handoff.attach(watchAndWait(path, options, handoff), () -> engine.removeCloseHook(hook));
            } catch (IOException | RuntimeException | Error e) {
                engine.removeCloseHook(hook);
                throw e;
            }
            return handoff;
        }

        @Override
        public java.util.List<Watch> watches() {
            return engine.watches();
        }

        @Override
        public boolean isClosed() {
            return engine.isClosed();
        }

        @Override
        public void ignore(Path path) {
            engine.ignore(path, true);
        }

        @Override
        public void unignore(Path path) {
            engine.ignore(path, false);
        }

        @Override
        public CompletableFuture<Void> sync() {
            return engine.sync();
        }

        @Override
        public Backend backend() {
            return backend;
        }

        @Override
        public String backendReason() {
            return engine.backendReason();
        }

        @Override
        public void close() {
            engine.close();
        }

        @Override
        public String toString() {
            return "FileMonitor[" + backend + "]";
        }
    }
}
