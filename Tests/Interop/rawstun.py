"""A small STUN/TURN client written here for the cases real clients cannot reach (RFC 8489 SHA-256 integrity and
USERHASH, 420, 437, 442, 486, peers given as IPv4-mapped IPv6). Independent of the server's Swift codec."""

import hashlib
import hmac
import ipaddress
import os
import socket
import struct
import zlib

COOKIE = 0x2112A442

BINDING, ALLOCATE, REFRESH, SEND, DATA, CREATE_PERMISSION, CHANNEL_BIND = 0x001, 0x003, 0x004, 0x006, 0x007, 0x008, 0x009
REQUEST, INDICATION, SUCCESS, ERROR = 0x000, 0x010, 0x100, 0x110

MAPPED_ADDRESS = 0x0001
USERNAME = 0x0006
MESSAGE_INTEGRITY = 0x0008
ERROR_CODE = 0x0009
UNKNOWN_ATTRIBUTES = 0x000A
CHANNEL_NUMBER = 0x000C
LIFETIME = 0x000D
XOR_PEER_ADDRESS = 0x0012
DATA_ATTR = 0x0013
REALM = 0x0014
NONCE = 0x0015
XOR_RELAYED_ADDRESS = 0x0016
REQUESTED_ADDRESS_FAMILY = 0x0017
EVEN_PORT = 0x0018
REQUESTED_TRANSPORT = 0x0019
MESSAGE_INTEGRITY_SHA256 = 0x001C
PASSWORD_ALGORITHM = 0x001D
USERHASH = 0x001E
XOR_MAPPED_ADDRESS = 0x0020
RESERVATION_TOKEN = 0x0022
ADDITIONAL_ADDRESS_FAMILY = 0x8000
ADDRESS_ERROR_CODE = 0x8001
PASSWORD_ALGORITHMS = 0x8002
SOFTWARE = 0x8022
FINGERPRINT = 0x8028


def xor_address(host, port, transaction_id):
    ip = ipaddress.ip_address(host)
    xport = port ^ (COOKIE >> 16)
    if ip.version == 4:
        return struct.pack("!BBH", 0, 1, xport) + struct.pack("!I", int(ip) ^ COOKIE)
    key = struct.pack("!I", COOKIE) + transaction_id
    raw = bytes(a ^ b for a, b in zip(ip.packed, key))
    return struct.pack("!BBH", 0, 2, xport) + raw


def parse_xor_address(value, transaction_id):
    family, xport = value[1], struct.unpack("!H", value[2:4])[0]
    port = xport ^ (COOKIE >> 16)
    if family == 1:
        return str(ipaddress.IPv4Address(struct.unpack("!I", value[4:8])[0] ^ COOKIE)), port
    key = struct.pack("!I", COOKIE) + transaction_id
    return str(ipaddress.IPv6Address(bytes(a ^ b for a, b in zip(value[4:20], key)))), port


class Message:
    def __init__(self, method, cls, transaction_id=None, attributes=None):
        self.method, self.cls = method, cls
        self.transaction_id = transaction_id or os.urandom(12)
        self.attributes = list(attributes or [])

    def add(self, attribute_type, value):
        self.attributes.append((attribute_type, value))
        return self

    def get(self, attribute_type):
        for kind, value in self.attributes:
            if kind == attribute_type:
                return value
        return None

    def all(self, attribute_type):
        return [value for kind, value in self.attributes if kind == attribute_type]

    @property
    def error_code(self):
        value = self.get(ERROR_CODE)
        return None if value is None else value[2] * 100 + value[3]

    def encode(self, key=None, sha256=False, fingerprint=True):
        body = b""
        for kind, value in self.attributes:
            body += struct.pack("!HH", kind, len(value)) + value + bytes(-len(value) % 4)
        message_type = ((self.method & 0xF80) << 2) | ((self.method & 0x070) << 1) | (self.method & 0x00F) | self.cls

        def header(length):
            return struct.pack("!HHI", message_type, length, COOKIE) + self.transaction_id

        if key is not None:
            size = 32 if sha256 else 20
            digest = hmac.new(key, header(len(body) + 4 + size) + body, hashlib.sha256 if sha256 else hashlib.sha1).digest()
            body += struct.pack("!HH", MESSAGE_INTEGRITY_SHA256 if sha256 else MESSAGE_INTEGRITY, size) + digest
        if fingerprint:
            crc = zlib.crc32(header(len(body) + 8) + body) ^ 0x5354554E
            body += struct.pack("!HHI", FINGERPRINT, 4, crc)
        return header(len(body)) + body

    @staticmethod
    def decode(data):
        message_type, length, cookie = struct.unpack("!HHI", data[:8])
        assert cookie == COOKIE and len(data) == 20 + length
        method = ((message_type & 0x3E00) >> 2) | ((message_type & 0x00E0) >> 1) | (message_type & 0x000F)
        message = Message(method, message_type & 0x0110, data[8:20])
        message.raw = data
        offset = 20
        while offset + 4 <= len(data):
            kind, size = struct.unpack("!HH", data[offset : offset + 4])
            message.attributes.append((kind, data[offset + 4 : offset + 4 + size]))
            offset += 4 + size + (-size % 4)
        return message

    def integrity_valid(self, key, sha256=False):
        kind = MESSAGE_INTEGRITY_SHA256 if sha256 else MESSAGE_INTEGRITY
        offset = 20
        while offset + 4 <= len(self.raw):
            attribute_type, size = struct.unpack("!HH", self.raw[offset : offset + 4])
            if attribute_type == kind:
                header = self.raw[:2] + struct.pack("!H", offset - 20 + 4 + size) + self.raw[4:20]
                expected = hmac.new(key, header + self.raw[20:offset], hashlib.sha256 if sha256 else hashlib.sha1).digest()
                return hmac.compare_digest(expected[:size], self.raw[offset + 4 : offset + 4 + size])
            offset += 4 + size + (-size % 4)
        return False


def long_term_key(username, realm, password, sha256=False):
    text = f"{username}:{realm}:{password}".encode()
    return hashlib.sha256(text).digest() if sha256 else hashlib.md5(text).digest()


class Client:
    """One UDP (or TCP) 5-tuple talking to the server."""

    def __init__(self, port, host="127.0.0.1", tcp=False):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        self.sock.settimeout(5)
        self.server = (host, port)
        self.tcp = tcp
        if tcp:
            self.sock.connect(self.server)
        else:
            self.sock.bind((host, 0))
        self.realm = None
        self.nonce = None

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        if self.tcp:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, self.server)

    def receive(self):
        if self.tcp:
            header = self._read(4)
            if header[0] < 0x40:
                length = struct.unpack("!H", header[2:4])[0]
                return header + self._read(16 + length)
            length = struct.unpack("!H", header[2:4])[0]
            return header + self._read(length + (-length % 4))
        return self.sock.recv(65535)

    def _read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def transact(self, message, key=None, sha256=False, fingerprint=True):
        self.send_raw(message.encode(key=key, sha256=sha256, fingerprint=fingerprint))
        while True:
            data = self.receive()
            if data[0] < 0x40:
                response = Message.decode(data)
                if response.transaction_id == message.transaction_id:
                    return response

    def challenge(self, method=ALLOCATE, extra=()):
        """Sends an unauthenticated request; keeps the REALM and NONCE of the 401."""
        request = Message(method, REQUEST).add(REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
        for attribute in extra:
            request.add(*attribute)
        response = self.transact(request)
        assert response.error_code == 401, response.error_code
        self.realm = response.get(REALM).decode()
        self.nonce = response.get(NONCE)
        return response

    def authenticated(self, method, username, key, attributes=(), sha256=False, userhash=None, algorithm=None):
        request = Message(method, REQUEST)
        for attribute in attributes:
            request.add(*attribute)
        if userhash is not None:
            request.add(USERHASH, userhash)
        else:
            request.add(USERNAME, username.encode())
        request.add(REALM, self.realm.encode())
        request.add(NONCE, self.nonce)
        if algorithm is not None:
            request.add(PASSWORD_ALGORITHMS, algorithm[0])
            request.add(PASSWORD_ALGORITHM, algorithm[1])
        return self.transact(request, key=key, sha256=sha256)
