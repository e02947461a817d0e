import { createRequire } from 'node:module'

/** The file of `@ip-location-db/geo-whois-asn-country-mmdb` holding IPv4 and IPv6. */
const BUNDLED_FILE = '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'

/**
 * The absolute path of the CC0 country database this package depends on
 * (`@ip-location-db/geo-whois-asn-country-mmdb`, IPv4 and IPv6, flat `country_code` records),
 * installed from the npm registry with the package: nothing is downloaded at run time. It is a
 * snapshot from the day that version was published; production should point `database` at a file
 * it keeps current (GeoLite2, or ip-location-db's releases).
 */
export function bundledDatabasePath(): string {
  return createRequire(import.meta.url).resolve(BUNDLED_FILE)
}
