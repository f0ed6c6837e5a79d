/**
 * The customer display at /display.
 *
 *   /display?register=<registerId>  same machine: follows the register over BroadcastChannel
 *   /display?code=123456            another device: pairs with the code from the register's QR
 *   /display                        another device: the saved pairing, or "enter pairing code"
 *   &lang=en | zh-CN                language (also switchable from the hidden corner button)
 *
 * data-testid: display-root (data-kind = idle|cart|paying|thanks|pairing, data-status),
 * display-idle, display-store-name, display-slide, display-cart, display-count, display-line,
 * display-line-name, display-line-name2, display-line-total, display-subtotal, display-discount,
 * display-tax, display-total, display-paying, display-paid, display-remaining,
 * display-payment-qr, display-thanks, display-change, display-status, display-lang,
 * display-menu, display-unpair, display-unpair-confirm, display-pairing, pairing-code-input,
 * pairing-submit, pairing-error.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../i18n';
import { sendTip, type DisplayMessage, type DisplaySlide, type DisplayState } from './channel';
import { markRendered, useLocalFeed, useRemoteFeed, type Feed } from './feed';
import { loadPairing, postAsDisplay, renewPairing, savePairing, type SavedPairing } from './pairing';
import { PairingScreen } from './pairing-screen';
import { CartScreen, IdleScreen, PayingScreen, ThanksScreen } from './screens';
import './display.css';

const THANKS_MS = 8000;
/** with a feedback question on screen the customer gets longer before the display goes idle */
const THANKS_FEEDBACK_MS = 30_000;
const LANG_KEY = 'opentill.display.lang';
type Lang = 'en' | 'zh-CN';

/** The display's own language (kept apart from the register's choice on the same machine). */
function applyLanguage(lang: Lang, remember: boolean) {
  if (remember) localStorage.setItem(LANG_KEY, lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

function langFrom(value: string | null): Lang | null {
  if (!value) return null;
  return value.toLowerCase().startsWith('zh') ? 'zh-CN' : value.toLowerCase().startsWith('en') ? 'en' : null;
}

export default function DisplayApp() {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const registerId = params.get('register');
  const code = params.get('code');
  const [pairing, setPairing] = useState<SavedPairing | null>(() =>
    code || registerId ? null : loadPairing(),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const { t } = useTranslation();

  useEffect(() => {
    const lang = langFrom(params.get('lang')) ?? langFrom(localStorage.getItem(LANG_KEY));
    if (lang) applyLanguage(lang, false);
  }, [params]);

  const paired = (next: SavedPairing) => {
    savePairing(next);
    setPairing(next);
    setNotice(null);
    // the code is spent: a reload must not try it again
    const keep = new URLSearchParams(params);
    keep.delete('code');
    const query = keep.toString();
    window.history.replaceState(null, '', `/display${query ? `?${query}` : ''}`);
  };
  const unpaired = (why: string | null) => {
    savePairing(null);
    setPairing(null);
    setNotice(why);
  };
  /** A display paired by device credential renews its device token; a revoked device unpairs. */
  const renewing = useRef(false);
  const renew = useCallback(
    async (current: SavedPairing) => {
      // one renewal at a time (a refused stream asks on every render until the new token is in)
      if (renewing.current) return;
      renewing.current = true;
      const r = await renewPairing(current).finally(() => {
        renewing.current = false;
      });
      if (r.ok) {
        savePairing(r.value);
        setPairing(r.value);
      } else if (r.error.status === 401) {
        savePairing(null);
        setPairing(null);
        setNotice(t('display.pairing.errors.ended'));
      } else {
        // the server is out of reach: try again in half a minute
        setPairing({ ...current, expiresAt: new Date(Date.now() + 90_000).toISOString() });
      }
    },
    [t],
  );
  useEffect(() => {
    if (!pairing?.credential) return;
    const timer = setTimeout(
      () => void renew(pairing),
      Math.max(0, Date.parse(pairing.expiresAt) - Date.now() - 60_000),
    );
    return () => clearTimeout(timer);
  }, [pairing, renew]);

  if (registerId) return <Mirror registerId={registerId} pairing={null} onUnpair={null} />;
  if (pairing) {
    return (
      <Mirror
        registerId={null}
        pairing={pairing}
        onUnpair={(ended) =>
          // a device token that ran out is renewed; only a revoked credential unpairs
          ended && pairing.credential
            ? void renew(pairing)
            : unpaired(ended ? t('display.pairing.errors.ended') : null)
        }
      />
    );
  }
  return (
    <div className="disp" data-testid="display-root" data-kind="pairing">
      <PairingScreen initialCode={code} notice={notice} onPaired={paired} />
      <CornerMenu onUnpair={null} />
    </div>
  );
}

/** Shows what the register shows: from the same machine or, paired, from the server. */
function Mirror({
  registerId,
  pairing,
  onUnpair,
}: {
  registerId: string | null;
  pairing: SavedPairing | null;
  onUnpair: ((ended: boolean) => void) | null;
}) {
  const local = useLocalFeed(registerId);
  // a device token is used only while it lives (it is renewed before it runs out)
  const live = pairing && (!pairing.credential || Date.parse(pairing.expiresAt) > Date.now());
  const remote = useRemoteFeed(live ? pairing.token : null);
  const feed: Feed = registerId ? local : remote;
  const { t, i18n: i18 } = useTranslation();
  const [thanksDone, setThanksDone] = useState<DisplayMessage | null>(null);
  const [storeName, setStoreName] = useState('');
  const [slides, setSlides] = useState<DisplaySlide[]>([]);

  const message = feed.message;
  useEffect(() => {
    if (message?.state.kind === 'idle' && message.state.storeName) setStoreName(message.state.storeName);
    if (message?.state.kind === 'idle') setSlides(message.state.slides ?? []);
    if (message?.state.kind !== 'thanks') return;
    const timer = setTimeout(
      () => setThanksDone(message),
      message.state.receiptToken ? THANKS_FEEDBACK_MS : THANKS_MS,
    );
    return () => clearTimeout(timer);
  }, [message]);
  useLayoutEffect(() => {
    if (message) markRendered(message);
  }, [message]);
  useEffect(() => {
    if (feed.status === 'ended') onUnpair?.(true);
  }, [feed.status, onUnpair]);

  const pairedName = (i18.language === 'zh-CN' && pairing?.storeNameZh) || pairing?.storeName || '';
  const idle: DisplayState = { kind: 'idle', storeName: storeName || pairedName, slides };
  const state: DisplayState = message && message !== thanksDone ? message.state : idle;
  const shownState = state.kind === 'idle' && !state.storeName ? idle : state;

  return (
    <div className="disp" data-testid="display-root" data-kind={shownState.kind} data-status={feed.status}>
      {shownState.kind === 'idle' ? (
        <IdleScreen storeName={shownState.storeName} slides={shownState.slides ?? slides} />
      ) : null}
      {shownState.kind === 'cart' ? <CartScreen state={shownState} /> : null}
      {shownState.kind === 'paying' ? (
        <PayingScreen
          state={shownState}
          onTip={
            registerId
              ? (amount: number) => sendTip(registerId, amount)
              : pairing?.credential
                ? (amount: number) =>
                    void postAsDisplay(pairing, '/display/tip', { tip: amount, at: Date.now() })
                : null
          }
        />
      ) : null}
      {shownState.kind === 'thanks' ? (
        <ThanksScreen
          state={shownState}
          onDone={() => message && setThanksDone(message)}
          deviceToken={pairing?.credential ? pairing.token : undefined}
        />
      ) : null}
      {feed.status === 'reconnecting' ? (
        <div className="disp-status" data-testid="display-status">
          {t('display.reconnecting')}
        </div>
      ) : feed.status === 'waiting' && !message && registerId ? (
        <div className="disp-status is-quiet" data-testid="display-status">
          {t('display.waiting')}
        </div>
      ) : null}
      <CornerMenu onUnpair={onUnpair ? () => onUnpair(false) : null} />
    </div>
  );
}

/** Nearly invisible in the corner: switch language and, when paired, unpair this display. */
function CornerMenu({ onUnpair }: { onUnpair: (() => void) | null }) {
  const { t, i18n: i18 } = useTranslation();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const zh = i18.language === 'zh-CN';
  return (
    <div className={`disp-corner${open ? ' is-open' : ''}`}>
      <button
        type="button"
        className="disp-corner-btn"
        data-testid="display-menu"
        aria-label={t('display.language')}
        onClick={() => {
          setOpen(!open);
          setConfirming(false);
        }}
      >
        ⋯
      </button>
      {open ? (
        <div className="disp-corner-menu">
          <button
            type="button"
            data-testid="display-lang"
            onClick={() => {
              applyLanguage(zh ? 'en' : 'zh-CN', true);
              setOpen(false);
            }}
          >
            {t('app.language')}
          </button>
          {onUnpair && !confirming ? (
            <button type="button" data-testid="display-unpair" onClick={() => setConfirming(true)}>
              {t('display.pairing.unpair')}
            </button>
          ) : null}
          {onUnpair && confirming ? (
            <>
              <span>{t('display.pairing.unpairConfirm')}</span>
              <button
                type="button"
                className="is-danger"
                data-testid="display-unpair-confirm"
                onClick={onUnpair}
              >
                {t('display.pairing.unpair')}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t('display.pairing.cancel')}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
