# Installed by the Makefile into .venv/etc/ipython/ so that every kernel the
# build starts reads it. ipykernel >= 7.3 logs a warning that the kernel runs
# over TCP without encryption; the kernel only listens on 127.0.0.1 for the
# build's own client, so that warning is expected and would fail the strict
# build (stderr is an error there). Only the kernel's own log is raised to
# ERROR; warnings printed by notebook code still fail the build.
c = get_config()  # noqa: F821
c.IPKernelApp.log_level = "ERROR"
