import { stat } from 'node:fs/promises'
import { open, type Reader, type Response } from 'maxmind'
import {
  COUNTRY_READERS,
  type CountryReader,
  detectFormat,
  NoCountryError,
  type RecordFormat,
} from './country-record.js'
import { type FileVersion, fileVersion } from './file-watcher.js'
import { isSpecialAddress } from './special-addresses.js'

/** What is known about the database being served. */
export interface DatabaseInfo {
  /** The file, as an absolute path. */
  readonly path: string
  /** `database_type` from the file's metadata (`GeoLite2-Country`, `country ipvAll`, ...). */
  readonly databaseType: string
  /** When the file was built (its metadata's `build_epoch`). */
  readonly buildEpoch: Date
  /** 4 for an IPv4-only database (IPv6 clients then have no country), 6 otherwise. */
  readonly ipVersion: 4 | 6
  /** Where its records keep the country. */
  readonly format: RecordFormat
}

/** The outcome of looking up one client address. */
export type GeoStatus = 'found' | 'private' | 'unknown' | 'error'

/** The country of one client address, as far as the database knows it. */
export interface GeoLookup {
  /** The client address looked up (core's trusted resolution); `''` when the socket had no peer. */
  readonly ip: string
  /** ISO 3166-1 alpha-2, upper case; `null` unless `status` is `found`. */
  readonly country: string | null
  /**
   * `found`: the database has a country for the address. `private`: a private, loopback,
   * link-local, documentation, multicast or reserved address (never looked up). `unknown`: the
   * database has no country for it (or no address, or an IPv6 address and an IPv4-only database).
   * `error`: the lookup threw.
   */
  readonly status: GeoStatus
}

interface Loaded {
  /** The file's version, stat'ed before it was read (so a change during the read is seen later). */
  readonly version: FileVersion
  readonly reader: Reader<Response>
  readonly country: CountryReader
  readonly ipv4Only: boolean
  readonly info: DatabaseInfo
}

/** Opens and checks one file; throws a plain `Error` saying what is wrong with it. */
async function load(path: string): Promise<Loaded> {
  let version: FileVersion
  let reader: Reader<Response>
  try {
    version = fileVersion(await stat(path))
    reader = await open<Response>(path)
  } catch (error) {
    // file-system errors (ENOENT, EACCES, EISDIR) say it well; the decoder's ("Unknown type 189 at offset 1") do not
    if (typeof (error as NodeJS.ErrnoException).code === 'string') throw error
    throw new Error(`not a MaxMind DB file, or a damaged one (${(error as Error).message})`)
  }
  const metadata = reader.metadata
  if (metadata.binaryFormatMajorVersion !== 2) {
    throw new Error(`unsupported MaxMind DB format version ${String(metadata.binaryFormatMajorVersion)}`)
  }
  if (metadata.ipVersion !== 4 && metadata.ipVersion !== 6) {
    throw new Error(`invalid ip_version ${String(metadata.ipVersion)} in the metadata`)
  }
  if (!Number.isSafeInteger(metadata.nodeCount) || metadata.nodeCount <= 0) {
    throw new Error(`invalid node_count ${String(metadata.nodeCount)} in the metadata`)
  }
  let format: RecordFormat
  try {
    format = detectFormat(reader)
  } catch (error) {
    if (error instanceof NoCountryError) throw error
    throw new Error(`a damaged MaxMind DB file: looking up addresses fails (${(error as Error).message})`)
  }
  return {
    version,
    reader,
    country: COUNTRY_READERS[format],
    ipv4Only: metadata.ipVersion === 4,
    info: Object.freeze({
      path,
      databaseType: typeof metadata.databaseType === 'string' ? metadata.databaseType : '',
      buildEpoch: metadata.buildEpoch,
      ipVersion: metadata.ipVersion,
      format,
    }),
  }
}

/**
 * A MaxMind-format database read with the `maxmind` reader, swappable while serving: `reload`
 * opens the file again and replaces the reader only if the new file opens and checks out.
 */
export class GeoDatabase {
  readonly path: string
  #loaded: Loaded
  #lookupFailed = false

  private constructor(path: string, loaded: Loaded) {
    this.path = path
    this.#loaded = loaded
  }

  /** Opens `path` (absolute); rejects with a plain `Error` if it is not a usable country database. */
  static async open(path: string): Promise<GeoDatabase> {
    return new GeoDatabase(path, await load(path))
  }

  get info(): DatabaseInfo {
    return this.#loaded.info
  }

  /** The version of the file being served. */
  get version(): FileVersion {
    return this.#loaded.version
  }

  /** Reads the file again; on success serves it from now on, on failure rejects and keeps the old one. */
  async reload(): Promise<DatabaseInfo> {
    const loaded = await load(this.path)
    this.#loaded = loaded
    this.#lookupFailed = false
    return loaded.info
  }

  /** True the first time it is called for the file being served: log a failing reader once, not per request. */
  firstLookupFailure(): boolean {
    if (this.#lookupFailed) return false
    this.#lookupFailed = true
    return true
  }

  /**
   * The country of a normalised address (as core's `getClientAddress` gives it). Private and
   * reserved ranges are answered without the database. Throws when the reader does.
   */
  lookup(ip: string): GeoLookup {
    if (ip.length === 0) return { ip, country: null, status: 'unknown' }
    const ipv4 = !ip.includes(':')
    if (isSpecialAddress(ip, ipv4)) return { ip, country: null, status: 'private' }
    const loaded = this.#loaded
    // mmdb-lib walks an IPv4 tree with IPv6 bits and returns some unrelated record: never ask it.
    if (!ipv4 && loaded.ipv4Only) return { ip, country: null, status: 'unknown' }
    const record: unknown = loaded.reader.get(ip)
    const country = record === null || record === undefined ? null : loaded.country(record)
    return country === null ? { ip, country, status: 'unknown' } : { ip, country, status: 'found' }
  }
}
