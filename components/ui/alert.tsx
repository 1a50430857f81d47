type Tone = 'danger' | 'success' | 'warning' | 'info';

const TONES: Record<Tone, string> = {
  danger: 'border-danger/30 bg-danger-soft text-danger',
  success: 'border-success/30 bg-success-soft text-success',
  warning: 'border-warning/30 bg-warning-soft text-warning',
  info: 'border-accent/30 bg-accent-soft text-accent',
};

export function Alert({ tone = 'info', children }: { tone?: Tone; children: React.ReactNode }) {
  return (
    <div role={tone === 'danger' ? 'alert' : 'status'} className={`rounded-lg border px-3.5 py-2.5 text-sm ${TONES[tone]}`}>
      {children}
    </div>
  );
}
