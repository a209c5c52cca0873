//! Where database sessions are stored: the adapter, connected on first use (and again after a
//! failure, so a database that comes back is picked up without a restart).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::adapter::{Adapter, AdapterError, BoxFuture};
use crate::provider::Setting;

/// How long connecting to the database may take before the request is answered without it.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

type Connect =
    Arc<dyn Fn() -> BoxFuture<'static, Result<Arc<dyn Adapter>, AdapterError>> + Send + Sync>;

/// Where the adapter of `session: database { adapter: … }` comes from.
#[derive(Clone)]
pub struct AdapterSource {
    kind: SourceKind,
}

#[derive(Clone)]
enum SourceKind {
    /// A database URL setting, read at start-up, with a default for an unset variable.
    Url {
        url: Setting,
        default: Option<&'static str>,
    },
    /// A connection function.
    Connect {
        connect: Connect,
        /// What to say in logs: the URL's scheme, never its credentials.
        label: String,
    },
}

impl fmt::Debug for AdapterSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match &self.kind {
            SourceKind::Url { .. } => "url",
            SourceKind::Connect { label, .. } => label,
        };
        f.debug_struct("AdapterSource")
            .field("kind", &label)
            .finish_non_exhaustive()
    }
}

impl AdapterSource {
    /// A database URL (`sqlite:…` with feature `sqlite`, `postgres://…` with feature
    /// `postgres`) from a setting, with a default used when its variable is unset.
    pub fn url(url: Setting, default: Option<&'static str>) -> Self {
        AdapterSource {
            kind: SourceKind::Url { url, default },
        }
    }

    /// The setting to read at start-up, for a URL source.
    pub(crate) fn url_setting(&self) -> Option<(Setting, Option<&'static str>)> {
        match &self.kind {
            SourceKind::Url { url, default } => Some((*url, *default)),
            SourceKind::Connect { .. } => None,
        }
    }

    /// A source that connects to this URL.
    pub(crate) fn from_url(url: String) -> Self {
        let label = url.split(':').next().unwrap_or_default().to_owned();
        let connect: Connect = Arc::new(move || {
            let url = url.clone();
            Box::pin(async move { connect_url(&url).await })
        });
        AdapterSource {
            kind: SourceKind::Connect { connect, label },
        }
    }

    /// An adapter made by the application's `async fn() -> Result<A, E>`.
    pub fn custom<F, Fut, A, E>(make: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<A, E>> + Send + 'static,
        A: Adapter + 'static,
        E: fmt::Display,
    {
        let make = Arc::new(make);
        let connect: Connect = Arc::new(move || {
            let fut = make();
            Box::pin(async move {
                match fut.await {
                    Ok(adapter) => Ok(Arc::new(adapter) as Arc<dyn Adapter>),
                    Err(e) => Err(AdapterError::store("connect", e.to_string())),
                }
            })
        });
        AdapterSource {
            kind: SourceKind::Connect {
                connect,
                label: "custom".to_owned(),
            },
        }
    }
}

async fn connect_url(url: &str) -> Result<Arc<dyn Adapter>, AdapterError> {
    if url.starts_with("sqlite:") {
        #[cfg(feature = "sqlite")]
        return Ok(Arc::new(crate::adapter::SqliteAdapter::connect(url).await?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Arc::new(
            crate::adapter::PostgresAdapter::connect(url).await?,
        ));
    }
    Err(AdapterError::store(
        "connect",
        format!(
            "no adapter for `{}:` URLs in this build (features `sqlite`, `postgres`)",
            url.split(':').next().unwrap_or_default()
        ),
    ))
}

/// The adapter, connected on first use; a failed connection is tried again next time.
pub(crate) struct LazyAdapter {
    source: AdapterSource,
    adapter: OnceCell<Arc<dyn Adapter>>,
}

impl LazyAdapter {
    pub(crate) fn new(source: AdapterSource) -> Self {
        LazyAdapter {
            source,
            adapter: OnceCell::new(),
        }
    }

    /// The connected adapter.
    pub(crate) async fn get(&self) -> Result<Arc<dyn Adapter>, AdapterError> {
        let SourceKind::Connect { connect, label } = &self.source.kind else {
            // `Builder::build` turns every URL source into a connecting one.
            return Err(AdapterError::store(
                "connect",
                "the database URL was never read",
            ));
        };
        self.adapter
            .get_or_try_init(|| async {
                // A database that does not answer must not hold the request for long.
                match tokio::time::timeout(CONNECT_TIMEOUT, connect()).await {
                    Ok(connected) => connected,
                    Err(_) => Err(AdapterError::store("connect", "timed out")),
                }
            })
            .await
            .map(Arc::clone)
            .inspect_err(|e| {
                tracing::error!(adapter = %label, error = %e, "ADAPTER_ERROR: cannot connect");
            })
    }
}
