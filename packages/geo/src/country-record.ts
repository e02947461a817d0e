import type { Reader, Response } from 'maxmind'
import { recordCountry } from './country-codes.js'

/**
 * Where a database's records keep the country:
 * - `geoip2`: `country.iso_code`, falling back to `registered_country.iso_code` (GeoLite2 and
 *   GeoIP2 Country, City and Enterprise; DB-IP's MaxMind-format databases);
 * - `flat`: `country_code` at the top of the record (ip-location-db, IPinfo-style databases);
 * - `mixed`: neither could be told at load (no probe address was in the database), so each
 *   record is read both ways.
 */
export type RecordFormat = 'geoip2' | 'flat' | 'mixed'

/** Reads the country of one record; `null` when the record has no usable country. */
export type CountryReader = (record: unknown) => string | null

interface GeoIp2Record {
  country?: { iso_code?: unknown } | null
  registered_country?: { iso_code?: unknown } | null
}

function geoip2Country(record: unknown): string | null {
  const geo = record as GeoIp2Record
  return recordCountry(geo.country?.iso_code) ?? recordCountry(geo.registered_country?.iso_code)
}

function flatCountry(record: unknown): string | null {
  return recordCountry((record as { country_code?: unknown }).country_code)
}

function mixedCountry(record: unknown): string | null {
  return flatCountry(record) ?? geoip2Country(record)
}

export const COUNTRY_READERS: Readonly<Record<RecordFormat, CountryReader>> = Object.freeze({
  geoip2: geoip2Country,
  flat: flatCountry,
  mixed: mixedCountry,
})

/**
 * Addresses looked up at load to see the records' shape: large public services on several
 * continents, and the addresses MaxMind's own test databases hold, so those are recognised too.
 */
const IPV4_PROBES = [
  '8.8.8.8',
  '1.1.1.1',
  '9.9.9.9',
  '81.2.69.142',
  '2.125.160.216',
  '89.160.20.112',
  '175.16.199.0',
  '216.160.83.56',
  '67.43.156.0',
  '202.196.224.0',
  '91.198.174.192',
  '41.1.1.1',
  '200.1.1.1',
]
const IPV6_PROBES = [
  '2001:4860:4860::8888',
  '2606:4700:4700::1111',
  '2a00:1450::1',
  '2001:218::',
  '2001:480::',
  '2c0f:f248::',
]

function shapeOf(record: unknown): 'geoip2' | 'flat' | undefined {
  if (record === null || typeof record !== 'object') return undefined
  if (flatCountry(record) !== null) return 'flat'
  const geo = record as GeoIp2Record
  if (typeof geo.country === 'object' || typeof geo.registered_country === 'object') return 'geoip2'
  return undefined
}

/** The database's records have no country field: not a Country or City database. */
export class NoCountryError extends Error {
  constructor() {
    super('its records carry no country (neither country.iso_code nor country_code): use a Country or City database')
    this.name = 'NoCountryError'
  }
}

/**
 * Finds the record format by looking up the probe addresses. Throws a plain `Error` when the
 * reader fails on them (a corrupt file) or when its records carry no country at all (an ASN or
 * ISP database given by mistake).
 */
export function detectFormat(reader: Reader<Response>): RecordFormat {
  const probes = reader.metadata.ipVersion === 4 ? IPV4_PROBES : [...IPV4_PROBES, ...IPV6_PROBES]
  const seen = new Set<'geoip2' | 'flat'>()
  let records = 0
  for (const ip of probes) {
    const record: unknown = reader.get(ip)
    if (record === null || record === undefined) continue
    records++
    const shape = shapeOf(record)
    if (shape !== undefined) seen.add(shape)
  }
  if (records > 0 && seen.size === 0) {
    throw new NoCountryError()
  }
  if (seen.size === 1) return seen.has('flat') ? 'flat' : 'geoip2'
  return 'mixed'
}
