'use client';

// A value to paste somewhere else (a URL, a command): shown whole, selectable, with a Copy button.
import { useState } from 'react';
import { Button } from '@/components/ui/button';

export function CopyField({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex w-full min-w-0 items-center gap-2">
      <input
        readOnly
        aria-label={label}
        value={value}
        onFocus={(e) => e.currentTarget.select()}
        className="h-9 min-w-0 flex-1 rounded-lg border border-line-strong bg-subtle px-3 font-mono text-xs text-fg"
      />
      <Button
        type="button"
        variant="secondary"
        className="h-9 shrink-0 px-3"
        onClick={async () => {
          await navigator.clipboard?.writeText(value).catch(() => undefined);
          setCopied(true);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </div>
  );
}
