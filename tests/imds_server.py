#!/usr/bin/python3
"""A stand-in for the EC2 instance metadata service (IMDSv2) on 127.0.0.1,
for the preflight tests: PUT /latest/api/token gives a token, GETs of
/latest/meta-data/... need it.  Raw sockets, so that it can also answer
wrongly on purpose.

  imds_server.py MODE PORTFILE [item=value ...]

items: instance-type, availability-zone, group-name (absent: 404, not in a
placement group), instance-life-cycle.  MODE:
  good       answers as the service does
  badvalue   every GET answers 200 with text the service never gives
  toolong    every GET answers 200 with 300 bytes
  garbage    answers that are not HTTP
  shortbody  a Content-Length longer than the body, then close
  chunked    Transfer-Encoding: chunked
  keepalive  good answers, but the connection is left open
  silent     accepts and never answers (a token dropped by the hop limit)
  unauth     the token is refused on every GET (401)
The port it listens on is written to PORTFILE once it listens.  For each
answer, "b" is appended to PORTFILE.sent before it is sent, and "e T"
once it is complete (sent, and closed unless the mode holds it open), T
being CLOCK_MONOTONIC in seconds: a client's time from the last T to its
return is its own, not this server's, however slowly a loaded host runs
this script (every "b" with its "e" says the last T is in).
"""
import os
import socket
import sys
import threading
import time

TOKEN = 'AQAEAtestTOKEN-0123456789=='
mode = sys.argv[1]
portfile = sys.argv[2]
items = dict(a.split('=', 1) for a in sys.argv[3:])
held = []
sent_lock = threading.Lock()


def mark(what):
    with sent_lock, open(portfile + '.sent', 'a') as f:
        if what == 'b':
            f.write('b\n')
        else:
            f.write('e %.9f\n' % time.clock_gettime(time.CLOCK_MONOTONIC))


def answer(code, body, extra=''):
    reason = {200: 'OK', 400: 'Bad Request', 401: 'Unauthorized',
              404: 'Not Found'}[code]
    body = body.encode() if isinstance(body, str) else body
    return ('HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n'
            'Content-Length: %d\r\n%s\r\n' % (code, reason, len(body), extra)
            ).encode() + body


def respond(method, path, headers):
    if mode == 'garbage':
        return b'SSH-2.0-OpenSSH_9.2\r\n\r\nnot http at all'
    if method == 'PUT':
        if path != '/latest/api/token' or \
                'x-aws-ec2-metadata-token-ttl-seconds' not in headers:
            return answer(400, '')
        return answer(200, TOKEN)
    if method != 'GET':
        return answer(400, '')
    if mode == 'unauth' or headers.get('x-aws-ec2-metadata-token') != TOKEN:
        return answer(401, '')
    key = path.rsplit('/', 1)[-1]
    if mode == 'badvalue':
        return answer(200, 'C5N 18XLARGE!\x01')
    if mode == 'toolong':
        return answer(200, 'x' * 300)
    if key not in items:
        return answer(404, '')
    if mode == 'shortbody':
        return (b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n' +
                items[key].encode())
    if mode == 'chunked':
        v = items[key].encode()
        return (b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
                b'%x\r\n' % len(v) + v + b'\r\n0\r\n\r\n')
    return answer(200, items[key])


def serve(conn):
    data = b''
    try:
        conn.settimeout(5)
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        if mode == 'silent':
            held.append(conn)
            return
        head = data.split(b'\r\n\r\n', 1)[0].decode('latin-1').split('\r\n')
        method, path = head[0].split(' ')[:2]
        headers = {}
        for line in head[1:]:
            k, _, v = line.partition(':')
            headers[k.strip().lower()] = v.strip()
        answer_bytes = respond(method, path, headers)
        mark('b')
        conn.sendall(answer_bytes)
        if mode == 'keepalive':
            held.append(conn)
            mark('e')
            return
        conn.close()
        mark('e')
        return
    except OSError:
        pass
    conn.close()


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', 0))
    s.listen(64)
    tmp = portfile + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % s.getsockname()[1])
    os.rename(tmp, portfile)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
