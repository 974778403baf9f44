import { noRoute } from '@/lib/http';

// Next prefers every static and single-segment route over a catch-all, so this answers only paths no route serves.
export const dynamic = 'force-dynamic';

export const { GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS } = noRoute();
