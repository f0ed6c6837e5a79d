/**
 * Marketing on the customer display: campaign slides while idle (image, video or text, rotated),
 * cart-aware hints during a sale, and the feedback question after payment. The feedback form is
 * shared with the e-receipt page; it posts with the sale's e-receipt token (no sign-in).
 *
 * data-testid: display-campaign (data-campaign-id), display-hints, display-hint, display-offers,
 * display-offer (data-saving), feedback,
 * feedback-star-1…5, feedback-nps-0…10, feedback-comment, feedback-submit, feedback-thanks,
 * feedback-error
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DisplayOffer, DisplaySlide } from './channel';
import { money } from './format';

const CAMPAIGN_MS = 8000;

export function CampaignSlides({ storeName, slides }: { storeName: string; slides: DisplaySlide[] }) {
  const { t, i18n } = useTranslation();
  const [at, setAt] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setAt((s) => (s + 1) % slides.length), CAMPAIGN_MS);
    return () => clearInterval(timer);
  }, [slides.length]);
  const slide = slides[at % slides.length];
  if (!slide) return null;
  const zh = i18n.language === 'zh-CN';
  const text = (zh ? (slide.textZh ?? slide.text) : (slide.text ?? slide.textZh)) ?? '';
  return (
    <section className="disp-idle" data-testid="display-idle">
      <h1 className="disp-store" data-testid="display-store-name">
        {storeName || t('display.welcome')}
      </h1>
      <article
        className="disp-campaign"
        data-testid="display-campaign"
        data-campaign-id={slide.id}
        key={slide.id}
      >
        {slide.mediaKind === 'image' && slide.mediaUrl ? <img src={slide.mediaUrl} alt={text} /> : null}
        {slide.mediaKind === 'video' && slide.mediaUrl ? (
          <video src={slide.mediaUrl} autoPlay muted loop playsInline />
        ) : null}
        {text ? <p className="disp-campaign-text">{text}</p> : null}
      </article>
    </section>
  );
}

export function CartHints({ hints }: { hints: { text: string; textZh: string | null }[] }) {
  const { i18n } = useTranslation();
  const zh = i18n.language === 'zh-CN';
  return (
    <ul className="disp-hints" data-testid="display-hints">
      {hints.map((h, i) => (
        <li key={i} data-testid="display-hint">
          {zh ? (h.textZh ?? h.text) : h.text}
        </li>
      ))}
    </ul>
  );
}

/** Promotions the cart nearly gets: "Add 1 × Latte — Second latte half price: save ¥16.00". */
export function CartOffers({ offers, currency }: { offers: DisplayOffer[]; currency: string }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language === 'zh-CN';
  return (
    <section className="disp-offers" data-testid="display-offers">
      <h3>{t('display.offers.title')}</h3>
      <ul>
        {offers.map((o, i) => (
          <li key={i} data-testid="display-offer" data-saving={o.saving}>
            <span className="disp-offer-add">
              {t('display.offers.add', {
                quantity: o.quantity,
                name: zh && o.nameZh ? o.nameZh : o.name,
              })}
            </span>
            <span className="disp-offer-promotion">{zh && o.promotionZh ? o.promotionZh : o.promotion}</span>
            <strong className="disp-offer-saving">
              {o.saving > 0
                ? t('display.offers.save', { amount: money(o.saving, currency) })
                : t('display.offers.points', { points: o.bonusPoints })}
            </strong>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** 1–5 stars, an optional comment, and the 0–10 recommendation question when `nps` is on. */
export function FeedbackPanel({
  token,
  source,
  nps = true,
  onDone,
  deviceToken,
}: {
  token: string;
  source: 'display' | 'receipt';
  nps?: boolean;
  onDone?: (() => void) | undefined;
  /** a display paired by device credential posts as itself (its own register's sales only) */
  deviceToken?: string | undefined;
}) {
  const { t } = useTranslation();
  const [rating, setRating] = useState(0);
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [state, setState] = useState<'open' | 'sending' | 'done' | 'error'>('open');
  const [message, setMessage] = useState('');

  const send = async () => {
    setState('sending');
    try {
      const answer = { rating, nps: score, comment: comment.trim() || null };
      const res = deviceToken
        ? await fetch('/api/v1/display/feedback', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceToken}` },
            body: JSON.stringify({ receiptToken: token, ...answer }),
          })
        : await fetch(`/api/v1/e-receipts/${encodeURIComponent(token)}/feedback`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...answer, source }),
          });
      if (res.ok || res.status === 409) {
        setState('done');
        if (onDone) setTimeout(onDone, 3000);
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setMessage(body?.error?.message ?? `HTTP ${res.status}`);
      setState('error');
    } catch {
      setMessage(t('display.feedback.offline'));
      setState('error');
    }
  };

  if (state === 'done') {
    return (
      <div className="disp-feedback" data-testid="feedback-thanks">
        {t('display.feedback.thanks')}
      </div>
    );
  }
  return (
    <form
      className="disp-feedback"
      data-testid="feedback"
      onSubmit={(e) => {
        e.preventDefault();
        if (rating > 0) void send();
      }}
    >
      <p>{t('display.feedback.question')}</p>
      <div className="disp-stars" role="radiogroup" aria-label={t('display.feedback.question')}>
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={rating === n}
            aria-label={String(n)}
            className={n <= rating ? 'is-on' : ''}
            data-testid={`feedback-star-${n}`}
            onClick={() => setRating(n)}
          >
            ★
          </button>
        ))}
      </div>
      {nps ? (
        <>
          <p className="disp-feedback-nps">{t('display.feedback.nps')}</p>
          <div className="disp-nps">
            {Array.from({ length: 11 }, (_, n) => (
              <button
                key={n}
                type="button"
                className={score === n ? 'is-on' : ''}
                data-testid={`feedback-nps-${n}`}
                onClick={() => setScore(n)}
              >
                {n}
              </button>
            ))}
          </div>
        </>
      ) : null}
      <textarea
        data-testid="feedback-comment"
        placeholder={t('display.feedback.comment')}
        maxLength={1000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      <button type="submit" data-testid="feedback-submit" disabled={rating === 0 || state === 'sending'}>
        {t('display.feedback.send')}
      </button>
      {state === 'error' ? (
        <p className="disp-feedback-error" data-testid="feedback-error">
          {message}
        </p>
      ) : null}
    </form>
  );
}
