/*
 * The cache coherence protocol (platform/core/cache/coherence.ts) as a Promela model for spin.
 *
 * Two API instances share one database and one Redis; instance 0 writes the row WRITES times. Each
 * instance has a reader (with its own L1) and a coherence checker. Redis can lose everything
 * (killed and restarted empty, FLUSHALL), stop answering everyone (SIGSTOP, CLIENT PAUSE), or be cut
 * off from one instance; the writer can die between its commit and its bump. Every order of the
 * processes' steps and of the clock's ticks is explored, so any delay (CPU starvation) is covered.
 *
 * Property: a read that begins after write k was acknowledged returns version >= k.
 *
 * Steps: JavaScript runs without interruption between two awaits, so each step here is one piece
 * of code between I/O waits (a database statement, a Redis command, its reply), made atomic.
 *
 * Generations are abstracted: they only grow (after a loss they restart above every earlier
 * value), so an entry stored under older generations can never be reached again. The model keeps
 * only the entries under the current generations; a bump empties them, and a fill stores its result
 * only if no bump happened since it read the generations (`moved`).
 *
 * Variants (spin -D...), each of which must yield a counterexample (the negative controls):
 *   OLD_ORDERING   the protocol before the transactional outbox: the outbox row is written only
 *                  after the bump failed, the write is acknowledged at once, and only an instance
 *                  that saw Redis fail distrusts its cache until it drains the outbox.
 *   NO_LEASE_WAIT  the transactional outbox and the leases, but a write that cannot bump is
 *                  acknowledged at once instead of waiting out the lease.
 */

#define N 2
#ifndef WRITES
#define WRITES 2
#endif
#ifndef READS
#define READS 3
#endif
#ifndef MAXT
#define MAXT 6
#endif
#ifndef LEASE
#define LEASE 2
#endif
#ifndef MAXFAULTS
#define MAXFAULTS 1
#endif

byte clock = 0;
byte dbv = 0;                 /* committed version of the row */
byte acked = 0;               /* the last write the client was told succeeded */
bool outbox[WRITES + 1];      /* pending invalidation of each write */
byte shared = 0;              /* Redis entry under the current generations: version + 1; 0 = none */
byte l1[N];                   /* each instance's L1 entry under the current generations */
bool moved[N];                /* a bump happened since instance i's fill read the generations */
bool reach[N] = true;         /* whether instance i can reach Redis now */
byte trusted_until[N];        /* the lease: the instance may use the cache while clock < this */
bool must_drain[N];           /* OLD_ORDERING only: this instance saw Redis fail */
byte faults = 0;

/* INCR of the tags (or a loss of every key, after which generations restart higher). */
#define BUMP shared = 0; l1[0] = 0; l1[1] = 0; moved[0] = true; moved[1] = true

active proctype Tick() {
  do
  :: clock < MAXT -> clock++
  :: else -> break
  od
}

active proctype Writer() {
  byte k = 1;
  byte committed_at;
  bool ok;
  do
  :: k <= WRITES ->
    /* the write's transaction */
#ifdef OLD_ORDERING
    d_step { dbv = k; committed_at = clock };
#else
    d_step { dbv = k; outbox[k] = true; committed_at = clock };
#endif
    if
    :: faults < MAXFAULTS ->
      /* killed after the commit, before the bump; the instance restarts empty and without a lease */
      d_step { faults++; l1[0] = 0; trusted_until[0] = 0; must_drain[0] = false };
      goto dead
    :: true -> skip
    fi;
settle:
    /* the bump at Redis, and whether its reply arrives in time */
    if
    :: d_step { reach[0] -> BUMP; ok = true }
    :: d_step { reach[0] -> BUMP; ok = false }
    :: d_step { true -> ok = false }
    fi;
#ifdef OLD_ORDERING
    d_step { if :: !ok -> must_drain[0] = true; outbox[k] = true :: else -> skip fi; acked = k; k++; ok = false };
#else
#ifdef NO_LEASE_WAIT
    d_step { if :: ok -> outbox[k] = false :: else -> skip fi; acked = k; k++; ok = false };
#else
    if
    :: d_step { ok -> outbox[k] = false; acked = k; k++; ok = false }
    :: d_step { !ok && !outbox[k] -> acked = k; k++ }                            /* a peer applied it */
    :: d_step { !ok && outbox[k] && clock >= committed_at + LEASE -> acked = k; k++ } /* leases ran out */
    :: atomic { !ok && outbox[k] && clock < committed_at + LEASE -> goto settle }
    fi;
#endif
#endif
  :: else -> break
  od;
dead:
  skip
}

/* A check: apply pending outbox entries; renew the lease only if that succeeded. */
inline check(i) {
    /* The check starts and reads the outbox (one step: the latest start is the least safe). With
       nothing pending it renews the lease at once. */
    d_step {
      started = clock;
      any = false;
      w = 1;
      do
      :: w <= WRITES -> saw[w] = outbox[w]; any = any || outbox[w]; w++
      :: else -> break
      od;
      w = 0;
      if
      :: !any ->
        must_drain[i] = false;
#ifndef OLD_ORDERING
        trusted_until[i] = started + LEASE;
#endif
        started = 0
      :: else -> skip
      fi
    };
    if
    :: !any -> skip
    :: else ->
      /* The bump of what it saw, then the removal of what it applied and the lease. (A removal
         that follows a bump at once is the least safe order: nothing acts on the bump before the
         entry is gone.) */
      if
      :: d_step { reach[i] -> BUMP; ok = true }
      :: d_step { reach[i] -> BUMP; ok = false }
      :: d_step { true -> ok = false }
      fi;
      d_step {
        if
        :: ok ->
          w = 1;
          do
          :: w <= WRITES -> if :: saw[w] -> outbox[w] = false :: else -> skip fi; w++
          :: else -> break
          od;
          must_drain[i] = false;
#ifndef OLD_ORDERING
          trusted_until[i] = started + LEASE;
#endif
          skip
        :: else -> trusted_until[i] = 0
        fi;
        w = 1;
        do
        :: w <= WRITES -> saw[w] = false; w++
        :: else -> break
        od;
        w = 0; started = 0; any = false; ok = false
      }
    fi
}

/* A read: the lease, the generations, L1, Redis, and on a miss the database and a fill. */
inline read(i) {
    /* the read begins: is the cache usable? (a bypass reads the database: as early as possible is
       the least safe, so that read is this same step) */
    d_step {
      reads++;
      floor = acked;
#ifdef OLD_ORDERING
      if :: must_drain[i] -> v = 254 :: else -> v = 0 fi
#else
      if :: clock >= trusted_until[i] -> v = 254 :: else -> v = 0 fi
#endif
    };
    if
    :: v == 254 -> d_step { v = dbv; assert(v >= floor); v = 0; floor = 0 }
    :: v == 0 ->
      /* the generations, then L1, then Redis (copied into L1); a store that times out: bypass */
      if
      :: d_step { reach[i] && l1[i] != 0 -> v = l1[i] - 1; assert(v >= floor); v = 0; floor = 0 }
      :: d_step { reach[i] && l1[i] == 0 && shared != 0 -> v = shared - 1; l1[i] = shared; assert(v >= floor); v = 0; floor = 0 }
      :: d_step { reach[i] && l1[i] == 0 && shared == 0 -> moved[i] = false; v = 255 }
      :: d_step { true ->
#ifdef OLD_ORDERING
          must_drain[i] = true;
#endif
          v = dbv; assert(v >= floor); v = 0; floor = 0 }
      fi;
      if
      :: v == 255 ->
        d_step { v = dbv; assert(v >= floor) };   /* a miss reads the database */
        /* stored later, under the generations read before: it can lose a race with a write */
        d_step { if :: !moved[i] && reach[i] -> shared = v + 1; l1[i] = v + 1 :: else -> skip fi; v = 0; floor = 0 }
      :: else -> skip
      fi
    fi
}

/*
 * One API instance: checks and reads. On one instance the model runs one at a time (a read or a
 * check, each from start to end), interleaved freely with the other instance, the writer, the
 * clock and the faults; this keeps the state space small enough to search exhaustively. (In the
 * process, a check and reads overlap; what a check does to reads, a bump and a lease, it does
 * through Redis and the lease alone, which the reader consults only when it begins.)
 */
proctype Instance(byte i) {
  byte reads = 0;
  byte floor;
  byte v;
  byte started;
  byte w;
  bool saw[WRITES + 1];
  bool any;
  bool ok;
  do
  :: clock < MAXT -> check(i)
  :: reads < READS -> read(i)
  :: clock >= MAXT && reads >= READS -> break
  od
}

active proctype Faults() {
  if
  :: d_step { faults < MAXFAULTS -> faults++; reach[0] = false }; reach[0] = true  /* writer cut off */
  :: d_step { faults < MAXFAULTS -> faults++; reach[1] = false }; reach[1] = true  /* reader cut off */
  :: d_step { faults < MAXFAULTS -> faults++; reach[0] = false; reach[1] = false }; /* killed, restarted empty */
    d_step { BUMP; reach[0] = true; reach[1] = true }
  :: d_step { faults < MAXFAULTS -> faults++; BUMP }                                 /* FLUSHALL */
  :: d_step { faults < MAXFAULTS -> faults++; reach[0] = false; reach[1] = false }; /* SIGSTOP, CLIENT PAUSE */
    d_step { reach[0] = true; reach[1] = true }
  :: true -> skip
  fi
}

init {
  atomic {
    run Instance(0); run Instance(1)
  }
}
