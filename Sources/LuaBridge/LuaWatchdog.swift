import CLuaShim

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs Lua work on a thread of its own and stops waiting for it when it overstays.
///
/// The count hook enforces time limits only while Lua instructions run. One C call can run
/// for ages without executing any: a backtracking pattern (`("a"):rep(1e5):find(("a*"):rep(9)
/// .. "b")`), `table.move({}, 1, 1e14, 2)`. The watchdog runs `body` on a worker thread
/// whose states publish their deadline; when a deadline has passed by `grace` seconds and
/// `body` has not returned, the waiter gives up: it returns nil and the worker's states are
/// marked abandoned, so that if the C call ever returns they stop at once and never run
/// host code again. The abandoned thread runs on until the process exits.
public enum LuaWatchdog {
  /// How a watched body ended.
  public enum Outcome<T> {
    case finished(T)
    /// Abandoned past its deadline; where the worker's Lua code was last seen, and the
    /// host function it was inside, if any.
    case abandoned(LuaPlace)
  }

  /// The result of `body`, or nil when it was abandoned. `body` must keep every effect
  /// it has on shared objects inside host functions (which abandonment disables) or in
  /// its return value.
  public static func run<T>(grace: Double = 2, _ body: @escaping () -> T) -> T? {
    if case .finished(let value) = watch(grace: grace, body) { return value }
    return nil
  }

  /// Runs `body` as ``run(grace:_:)`` does, and says where it was when abandoned. While it
  /// waits (20 times a second) the calling thread calls `waiting` with the seconds since
  /// the start and the host function the worker is inside (`ctx.report.get`), if any.
  public static func watch<T>(
    grace: Double = 2, waiting: ((Double, String?) -> Void)? = nil, _ body: @escaping () -> T
  ) -> Outcome<T> {
    let started = pmh_monotonic_now()
    let job = Job(body: body)
    let unmanaged = Unmanaged.passRetained(job)
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, 16 << 20)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    #if canImport(Glibc)
      var thread = pthread_t()
    #else
      var thread: pthread_t? = nil
    #endif
    let created = pthread_create(
      &thread, &attributes,
      { raw in
        let job = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! Runnable
        job.execute()
        return nil
      }, unmanaged.toOpaque())
    guard created == 0 else {
      // No thread: run here, unguarded, rather than not at all.
      unmanaged.release()
      return .finished(body())
    }
    while true {
      if job.wait(seconds: 0.05) {
        guard let value = job.take() else { return .abandoned(LuaPlace()) }
        return .finished(value)
      }
      let now = pmh_monotonic_now()
      let deadline = pmh_watch_deadline(job.watch)
      if deadline > 0, now > deadline + grace {
        job.abandon()
        var place = pmh_place()
        pmh_watch_place(job.watch, &place)
        return .abandoned(LuaPlace(place))
      }
      if let waiting { waiting(now - started, pmh_watch_call(job.watch).map { String(cString: $0) }) }
    }
  }

  private protocol Runnable: AnyObject {
    func execute()
  }

  /// Shared by the waiter and the worker; the worker's retain keeps it (and its watch
  /// token) alive after an abandoned waiter has gone.
  private final class Job<T>: Runnable {
    let watch: OpaquePointer
    private let body: () -> T
    private var result: T?
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var done = false
    private var abandoned = false

    init(body: @escaping () -> T) {
      self.body = body
      watch = pmh_watch_new()
      pthread_mutex_init(&mutex, nil)
      var attributes = pthread_condattr_t()
      pthread_condattr_init(&attributes)
      #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
      #endif
      pthread_cond_init(&condition, &attributes)
      pthread_condattr_destroy(&attributes)
    }

    deinit {
      pmh_watch_free(watch)
      pthread_cond_destroy(&condition)
      pthread_mutex_destroy(&mutex)
    }

    func execute() {
      pmh_watch_bind_thread(watch)
      let value = body()
      pmh_watch_bind_thread(nil)
      pthread_mutex_lock(&mutex)
      if !abandoned { result = value }
      done = true
      pthread_cond_signal(&condition)
      pthread_mutex_unlock(&mutex)
    }

    /// Waits up to `seconds` for the worker; true once it has finished.
    func wait(seconds: Double) -> Bool {
      var now = timespec()
      #if canImport(Glibc)
        clock_gettime(CLOCK_MONOTONIC, &now)
      #else
        clock_gettime(CLOCK_REALTIME, &now)
      #endif
      let nanos = Int(now.tv_nsec) + Int(seconds * 1e9)
      var until = timespec(tv_sec: now.tv_sec + nanos / 1_000_000_000, tv_nsec: nanos % 1_000_000_000)
      pthread_mutex_lock(&mutex)
      defer { pthread_mutex_unlock(&mutex) }
      if !done { pthread_cond_timedwait(&condition, &mutex, &until) }
      return done
    }

    func take() -> T? {
      pthread_mutex_lock(&mutex)
      defer { pthread_mutex_unlock(&mutex) }
      let value = result
      result = nil
      return value
    }

    func abandon() {
      pthread_mutex_lock(&mutex)
      abandoned = true
      pmh_watch_abandon(watch)
      pthread_mutex_unlock(&mutex)
    }
  }
}
