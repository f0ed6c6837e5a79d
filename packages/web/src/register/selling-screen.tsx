import type { PricedCart } from '@opentill/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cart, CartHint, CatalogItem } from '../offline/contract';
import { CartPanel } from './cart-panel';
import {
  addItem,
  allowsFraction,
  bump,
  emptyCart,
  removeLine,
  setLineDiscount,
  setLinePrice,
  setOrderDiscount,
  setQuantity,
} from './cart-ops';
import { CatalogPanel } from './catalog-panel';
import { MemberBar } from './member-panel';
import { DiscountDialog, ParkDialog, ParkedList, PriceDialog, QuantityDialog } from './dialogs';
import { itemName } from './names';
import { canDiscount, useRegister } from './register-context';
import { PromotionHintStrip } from './promotion-hints';
import { SuggestionStrip } from './suggestions';

type Dialog =
  | { kind: 'weigh'; item: CatalogItem }
  | { kind: 'quantity'; lineId: string }
  | { kind: 'lineDiscount'; lineId: string }
  | { kind: 'linePrice'; lineId: string }
  | { kind: 'orderDiscount' }
  | { kind: 'park' }
  | { kind: 'parked' }
  | null;

/** Catalog on the left, cart and totals on the right. */
export function SellingScreen({
  cart,
  setCart,
  priced,
  priceError,
  onPay,
  onCodeEntered,
  pendingWeigh,
  clearPendingWeigh,
  modalOpen,
  suggestions,
  hints,
}: {
  cart: Cart;
  setCart: (update: (cart: Cart) => Cart) => void;
  priced: PricedCart | null;
  priceError: string | null;
  onPay: () => void;
  onCodeEntered: (code: string) => void;
  /** an item scanned that needs a weight */
  pendingWeigh: CatalogItem | null;
  clearPendingWeigh: () => void;
  /** another dialog (PIN, settings) is open: no shortcuts */
  modalOpen: boolean;
  /** frequently bought with this cart (empty offline) */
  suggestions: CatalogItem[];
  /** promotions the cart nearly gets (offline too) */
  hints: CartHint[];
}) {
  const { t, i18n } = useTranslation();
  const { till, session, notify } = useRegister();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [parkedCount, setParkedCount] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const mayDiscount = canDiscount(session.staff);

  useEffect(() => {
    void till.parked().then((list) => setParkedCount(list.length));
  }, [till, dialog]);

  useEffect(() => {
    if (pendingWeigh) {
      setDialog({ kind: 'weigh', item: pendingWeigh });
      clearPendingWeigh();
    }
  }, [pendingWeigh, clearPendingWeigh]);

  // the last line added is the selected one
  const lastLineId = cart.lines[cart.lines.length - 1]?.lineId ?? null;
  useEffect(() => setSelected(lastLineId), [lastLineId]);

  const pick = (item: CatalogItem) => {
    if (allowsFraction(item)) setDialog({ kind: 'weigh', item });
    else setCart((c) => addItem(c, item));
  };

  const park = async (note: string) => {
    await till.park(cart, note);
    setCart(() => emptyCart());
    setDialog(null);
    notify(t('register.park.parked'));
  };

  const resume = async (id: string) => {
    const result = await till.resume(id);
    if (!result.ok) return notify(result.error.message, 'error');
    setCart(() => result.value);
    setDialog(null);
  };

  useEffect(() => {
    if (dialog || modalOpen) return;
    const onKey = (e: KeyboardEvent) => {
      const inField = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      const act = (fn: () => void) => {
        e.preventDefault();
        fn();
      };
      const empty = cart.lines.length === 0;
      switch (e.key) {
        case 'F2':
          return act(() => searchRef.current?.focus());
        case 'F4':
          return act(() => !empty && priced && onPay());
        case 'F6':
          return act(() => !empty && setDialog({ kind: 'park' }));
        case 'F7':
          return act(() => setDialog({ kind: 'parked' }));
        case 'F8':
          return act(() => !empty && mayDiscount && setDialog({ kind: 'orderDiscount' }));
        case 'Delete':
          if (!inField && selected) act(() => setCart((c) => removeLine(c, selected)));
          return;
        case '+':
          if (!inField && selected) act(() => setCart((c) => bump(c, selected, 1)));
          return;
        case '-':
          if (!inField && selected) act(() => setCart((c) => bump(c, selected, -1)));
          return;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialog, modalOpen, cart, priced, selected, mayDiscount, onPay, setCart]);

  const lineOf = (id: string) => cart.lines.find((l) => l.lineId === id);
  const close = () => setDialog(null);

  return (
    <div className="reg-selling">
      <CatalogPanel onPick={pick} onEnterCode={onCodeEntered} searchRef={searchRef} />
      <div className="reg-cart-column">
        <MemberBar cart={cart} setCart={setCart} />
        <CartPanel
          cart={cart}
          priced={priced}
          priceError={priceError}
          selectedLineId={selected}
          canDiscount={mayDiscount}
          onSelect={setSelected}
          onBump={(id, d) => setCart((c) => bump(c, id, d))}
          onQuantity={(lineId) => setDialog({ kind: 'quantity', lineId })}
          onRemove={(id) => setCart((c) => removeLine(c, id))}
          onLineDiscount={(lineId) => setDialog({ kind: 'lineDiscount', lineId })}
          onLinePrice={(lineId) => setDialog({ kind: 'linePrice', lineId })}
          onOrderDiscount={() => setDialog({ kind: 'orderDiscount' })}
          onClear={() => setCart(() => emptyCart())}
          onPark={() => setDialog({ kind: 'park' })}
          onResume={() => setDialog({ kind: 'parked' })}
          onPay={onPay}
          parkedCount={parkedCount}
        />
        <PromotionHintStrip hints={hints} onAdd={(h) => setCart((c) => addItem(c, h.item, h.add.quantity))} />
        <SuggestionStrip items={suggestions} onPick={pick} />
      </div>
      {dialog?.kind === 'weigh' ? (
        <QuantityDialog
          item={dialog.item}
          initial={null}
          onClose={close}
          onDone={(q) => {
            setCart((c) => addItem(c, dialog.item, q));
            close();
          }}
        />
      ) : null}
      {dialog?.kind === 'quantity' && lineOf(dialog.lineId) ? (
        <QuantityDialog
          item={lineOf(dialog.lineId)!.item}
          initial={lineOf(dialog.lineId)!.quantity}
          onClose={close}
          onDone={(q) => {
            setCart((c) => setQuantity(c, dialog.lineId, q));
            close();
          }}
        />
      ) : null}
      {dialog?.kind === 'lineDiscount' && lineOf(dialog.lineId) ? (
        <DiscountDialog
          title={t('register.discount.lineTitle', {
            name: itemName(lineOf(dialog.lineId)!.item, i18n.language),
          })}
          current={lineOf(dialog.lineId)!.discount}
          onClose={close}
          onDone={(d) => {
            setCart((c) => setLineDiscount(c, dialog.lineId, d));
            close();
          }}
        />
      ) : null}
      {dialog?.kind === 'linePrice' && lineOf(dialog.lineId) ? (
        <PriceDialog
          title={t('register.price.title', {
            name: itemName(lineOf(dialog.lineId)!.item, i18n.language),
          })}
          current={lineOf(dialog.lineId)!.unitPrice}
          onClose={close}
          onDone={(p) => {
            setCart((c) => setLinePrice(c, dialog.lineId, p));
            close();
          }}
        />
      ) : null}
      {dialog?.kind === 'orderDiscount' ? (
        <DiscountDialog
          title={t('register.discount.orderTitle')}
          current={cart.orderDiscounts[0]}
          onClose={close}
          onDone={(d) => {
            setCart((c) => setOrderDiscount(c, d));
            close();
          }}
        />
      ) : null}
      {dialog?.kind === 'park' ? <ParkDialog onClose={close} onPark={(note) => void park(note)} /> : null}
      {dialog?.kind === 'parked' ? (
        <ParkedList blocked={cart.lines.length > 0} onClose={close} onResume={(id) => void resume(id)} />
      ) : null}
    </div>
  );
}
