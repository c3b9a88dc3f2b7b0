#!/usr/bin/env python3
"""GET a file over HTTP/1.1 into a local file the way cp copies: the body goes from the socket to the file inside the
kernel (splice through a pipe), never through this process's memory, then the file is fsynced.

    splice_get.py URL OUTPUT [HEADER: VALUE ...]

bench/files.sh uses it beside curl: curl -o copies every byte into user space and writes it back in 4 and 12 KiB
pieces through stdio, so its GET measures curl as much as the server. Linux only (os.splice, Python 3.10+); plain
http:// URLs with a Content-Length answer, which is what the file API sends for a whole file.
"""
import fcntl
import os
import socket
import sys
from urllib.parse import urlsplit

PIPE_BYTES = 1 << 20


def main():
    url, output, headers = urlsplit(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if url.scheme != "http":
        sys.exit("splice_get.py: only http:// URLs")
    path = url.path + ("?" + url.query if url.query else "")
    request = f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n"
    request += "".join(h + "\r\n" for h in headers) + "\r\n"

    with socket.create_connection((url.hostname, url.port or 80)) as sock:
        sock.sendall(request.encode("latin-1"))
        head, body_start = read_head(sock)
        status = int(head.split(b" ", 2)[1])
        length = content_length(head)
        if status != 200 or length is None:
            sys.exit(f"splice_get.py: answered {status}, content-length {length}")
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, body_start)
            copy(sock.fileno(), fd, length - len(body_start))
            os.fsync(fd)
        finally:
            os.close(fd)
    print(status)


def read_head(sock):
    """The status line and headers, and whatever part of the body arrived with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("splice_get.py: the connection closed before the headers ended")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def content_length(head):
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


def copy(sock_fd, file_fd, remaining):
    read_end, write_end = os.pipe()
    try:
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        while remaining > 0:
            moved = os.splice(sock_fd, write_end, min(remaining, PIPE_BYTES))
            if moved == 0:
                sys.exit(f"splice_get.py: the connection closed with {remaining} bytes to go")
            remaining -= moved
            while moved > 0:
                moved -= os.splice(read_end, file_fd, moved)
    finally:
        os.close(read_end)
        os.close(write_end)


if __name__ == "__main__":
    main()
