import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

/** A QR code as an image (the `qrcode` package), sized by CSS. */
export function QrImage({ text, label, testId }: { text: string; label: string; testId: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 512 })
      .then((url) => live && setSrc(url))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [text]);
  return src ? (
    <img className="disp-qr" src={src} alt={label} data-testid={testId} data-qr-text={text} />
  ) : (
    <div className="disp-qr disp-qr-empty" data-testid={testId} />
  );
}
