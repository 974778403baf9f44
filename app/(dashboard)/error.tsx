'use client';

import { ErrorState } from '@/components/ui/states';

/** A page that failed to render keeps the nav and toasts around it, and offers to try again. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <ErrorState
      error={new Error(error.digest ? `Something went wrong (ref ${error.digest})` : error.message)}
      onRetry={reset}
    />
  );
}
