package io.github.fsmon.internal.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every way of waiting for a request's future goes through the check; a completed future never does. */
class MonitorFutureTest {
    private static final MonitorFuture.WaitCheck REFUSE = () -> {
        throw new IllegalStateException("refused");
    };

    @Test
    void waitingForAnIncompleteFutureIsChecked() {
        MonitorFuture<String> f = new MonitorFuture<>(REFUSE);
        assertThatThrownBy(f::join).isInstanceOf(IllegalStateException.class).hasMessage("refused");
        assertThatThrownBy(f::get).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.get(1, TimeUnit.MINUTES)).isInstanceOf(IllegalStateException.class);
        CompletableFuture<Integer> dependent = f.thenApply(String::length);
        assertThatThrownBy(dependent::join).as("a dependent stage inherits the check")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.toCompletableFuture().join()).isInstanceOf(IllegalStateException.class);
        assertThat(f).isNotDone();
    }

    @Test
    void aCompletedFutureIsReadWithoutTheCheck() throws Exception {
        MonitorFuture<String> f = new MonitorFuture<>(REFUSE);
        CompletableFuture<Integer> dependent = f.thenApply(String::length);
        f.complete("done");
        assertThat(f.join()).isEqualTo("done");
        assertThat(f.get()).isEqualTo("done");
        assertThat(dependent.get(1, TimeUnit.MINUTES)).isEqualTo(4);
    }
}
