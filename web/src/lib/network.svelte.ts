// Whether the browser believes it is online (navigator.onLine and its events).
export const network = $state({ online: typeof navigator === 'undefined' ? true : navigator.onLine });

export function watchNetwork(onBackOnline?: () => void): () => void {
  const up = () => {
    network.online = true;
    onBackOnline?.();
  };
  const down = () => {
    network.online = false;
  };
  addEventListener('online', up);
  addEventListener('offline', down);
  return () => {
    removeEventListener('online', up);
    removeEventListener('offline', down);
  };
}
