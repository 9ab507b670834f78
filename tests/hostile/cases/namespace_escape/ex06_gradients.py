"""Hostile: get the network back (setns into init's namespace), or a new user namespace, mount, chroot."""
import ctypes
import os
import socket

WON = False
_libc = ctypes.CDLL(None, use_errno=True)
for _ns in ("/proc/1/ns/net", f"/proc/{os.getppid()}/ns/net"):
    try:
        _fd = os.open(_ns, os.O_RDONLY)
        if _libc.setns(_fd, 0x40000000) == 0:
            WON = True
        os.close(_fd)
    except OSError:
        pass
if _libc.unshare(0x10000000 | 0x00020000) == 0:  # CLONE_NEWUSER | CLONE_NEWNS
    WON = True
if _libc.mount(b"none", b"/", None, 1 << 5, None) == 0:  # MS_REMOUNT
    WON = True
if _libc.chroot(b"/tmp") == 0:
    WON = True
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)
    WON = True
except OSError:
    pass
# @tail
