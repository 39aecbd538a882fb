// A one-line progress bar on stderr for long work on a terminal (launching thousands of branches).
export function progressBar(write: (s: string) => void, label: string, width = 30) {
  return ({ done, total }: { done: number; total: number }) => {
    const ratio = total ? done / total : 1;
    const filled = Math.round(ratio * width);
    write(`\r${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${Math.round(ratio * 100)}%`);
    if (done >= total) write('\n');
  };
}
