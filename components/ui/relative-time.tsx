'use client';

import { useEffect, useState } from 'react';
import { formatRelative, formatTimestamp } from '@/lib/dashboard/client/format';

/** "3 min ago" that keeps itself current; the exact UTC time is in the tooltip and for screen readers. */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  if (!iso) return <span className="muted">–</span>;
  return (
    <time dateTime={iso} title={formatTimestamp(iso)} suppressHydrationWarning>
      {formatRelative(iso, now)}
    </time>
  );
}
