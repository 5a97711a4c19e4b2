import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

import { McError } from '../../sdk/protocol/errors.ts';

/**
 * Addresses that are not on the public internet: a registry entry pointing at one of them
 * would make the gateway a way into the server's own network (THREATS.md SRV-5). Refused
 * unless allow-listed. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is checked as the IPv4 address
 * by BlockList itself; the other IPv6 forms that embed an IPv4 address (NAT64, 6to4,
 * IPv4-compatible) are refused as a whole.
 */
const DENIED: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['::', 96, 'ipv6'], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96, 'ipv6'], // NAT64: reaches IPv4 addresses through a translator
  ['64:ff9b:1::', 48, 'ipv6'], // local NAT64
  ['100::', 64, 'ipv6'], // discard
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['2002::', 16, 'ipv6'], // 6to4: embeds an IPv4 address
  ['fc00::', 7, 'ipv6'], // unique-local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];

/** `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): {
  address: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
} {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    family === 0 ||
    extra !== undefined ||
    (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
    prefix > max
  ) {
    throw new McError(
      'INVALID_ARGUMENT',
      `gatewayAllow: not a CIDR range like 127.0.0.0/8 or ::1/128: ${JSON.stringify(text)}`,
    );
  }
  return { address, prefix, type: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Decides which backend addresses the gateway may connect to: public addresses, and the
 * private ones an operator allow-listed (`gatewayAllow`, `MC_GATEWAY_ALLOW`). The decision is
 * taken on the address actually dialled ({@link AddressGuard.lookup} for names, the
 * connector for literals, and the connected socket's peer address once more), never on a
 * name checked before a separate connect, which DNS rebinding would defeat.
 */
export class AddressGuard {
  readonly #denied = new BlockList();
  readonly #allowed = new BlockList();

  constructor(allow: readonly string[] = []) {
    for (const [address, prefix, type] of DENIED) this.#denied.addSubnet(address, prefix, type);
    for (const cidr of allow) {
      const { address, prefix, type } = parseCidr(cidr);
      this.#allowed.addSubnet(address, prefix, type);
    }
  }

  /** True when the gateway may connect to `address` (an IP literal, brackets allowed). */
  allows(address: string): boolean {
    const ip = address.startsWith('[') ? address.slice(1, -1) : address;
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.#allowed.check(ip, type)) return true;
    return !this.#denied.check(ip, type);
  }

  /** The refusal for `address`: ADDRESS_REFUSED (answered 502). */
  refusal(host: string, address: string | undefined): McError {
    return new McError(
      'ADDRESS_REFUSED',
      `the backend ${host} resolves to ${address ?? 'no address'}, which is not public and not in gatewayAllow`,
    );
  }

  /**
   * A `lookup` for net.connect: resolves as dns.lookup does, then keeps only the addresses
   * this guard allows; none left is ADDRESS_REFUSED. Node calls it with `all: true` when it
   * races address families (autoSelectFamily), and with `all: false` otherwise.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const allowed = addresses.filter((entry: LookupAddress) => this.allows(entry.address));
      if (allowed.length === 0) {
        callback(this.refusal(hostname, addresses[0]?.address), '', 0);
        return;
      }
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      } else {
        callback(null, allowed[0]!.address, allowed[0]!.family);
      }
    });
  };
}
