'use client';
// A page's filter kept in its URL query (`?by=<id>`), so a filtered view is a link to share.
// Only id-like values are read: anything else in the URL counts as no filter.
import { useCallback } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { z } from 'zod';

const idLike = z.string().regex(/^[\w-]{1,64}$/);

export function useQueryParam(name: string): [string | null, (value: string | null) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const parsed = idLike.safeParse(params.get(name));
  const set = useCallback(
    (value: string | null) => {
      const next = new URLSearchParams(params.toString());
      if (value) next.set(name, value);
      else next.delete(name);
      const query = next.toString();
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [params, router, pathname, name],
  );
  return [parsed.success ? parsed.data : null, set];
}
