/** The example on the module path: it reads fsmon's module. */
module example.firstwatch {
    requires io.github.fsmon;
}
