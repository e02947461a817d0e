import QRCode from 'qrcode'
import type { QrCodeOptions } from './options.js'

/** The provisioning URI as a QR code: a PNG `data:image/png;base64,...` URL, for an `<img src>`. */
export function qrCodePng(text: string, options: Readonly<Required<QrCodeOptions>>): Promise<string> {
  return QRCode.toDataURL(text, {
    type: 'image/png',
    errorCorrectionLevel: options.errorCorrectionLevel,
    margin: options.margin,
    width: options.width,
  })
}

/** The provisioning URI as a QR code: an SVG document (scalable, a few kilobytes), for inline HTML. */
export function qrCodeSvg(text: string, options: Readonly<Required<QrCodeOptions>>): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: options.errorCorrectionLevel,
    margin: options.margin,
  })
}
