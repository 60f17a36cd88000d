//! Adapter choice, device creation and the fault handling every GPU call goes through: error
//! scopes around allocations and pipeline creation, a device-lost flag, and bounded waits.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use super::layout::MAX_STORAGE_BUFFERS;
use super::plan::Budget;
use super::shaders::{DENSE_WG_SIZE, DENSE_WORKGROUP_BYTES};

/// Which adapters the engine may run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdapterChoice {
    /// A discrete or integrated GPU, never a CPU adapter such as lavapipe (`--engine auto`).
    HardwareOnly,
    /// Any adapter, the best first: discrete, integrated, virtual, other, CPU (`--engine gpu`).
    Any,
}

/// An adapter as `aocbench devices` reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdapterSummary {
    pub backend: String,
    pub device_type: String,
    pub name: String,
    pub driver: String,
    pub driver_info: String,
    pub limits: AdapterLimits,
}

/// The adapter limits that bound what the engine can run in one go.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AdapterLimits {
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
    pub max_compute_workgroups_per_dimension: u32,
    pub max_compute_invocations_per_workgroup: u32,
    pub max_compute_workgroup_storage_size: u32,
}

impl AdapterSummary {
    fn of(adapter: &wgpu::Adapter) -> Self {
        let info = adapter.get_info();
        let limits = adapter.limits();
        AdapterSummary {
            backend: info.backend.to_string(),
            device_type: format!("{:?}", info.device_type),
            name: info.name,
            driver: info.driver,
            driver_info: info.driver_info,
            limits: AdapterLimits {
                max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
                max_buffer_size: limits.max_buffer_size,
                max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
                max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
                max_compute_workgroup_storage_size: limits.max_compute_workgroup_storage_size,
            },
        }
    }
}

/// Every adapter the Vulkan, Metal and DX12 backends (or `WGPU_BACKEND`) offer.
pub fn list_adapters() -> Vec<AdapterSummary> {
    adapters().iter().map(AdapterSummary::of).collect()
}

fn adapters() -> Vec<wgpu::Adapter> {
    let descriptor = wgpu::InstanceDescriptor { backends: wgpu::Backends::PRIMARY, ..wgpu::InstanceDescriptor::new_without_display_handle() };
    let instance = wgpu::Instance::new(descriptor.with_env());
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
}

/// Preference among adapters; `None` for those the choice excludes.
fn rank(device_type: wgpu::DeviceType, choice: AdapterChoice) -> Option<u8> {
    use wgpu::DeviceType::*;
    match (device_type, choice) {
        (DiscreteGpu, _) => Some(0),
        (IntegratedGpu, _) => Some(1),
        (_, AdapterChoice::HardwareOnly) => None,
        (VirtualGpu, _) => Some(2),
        (Other, _) => Some(3),
        (Cpu, _) => Some(4),
    }
}

/// Faults reported asynchronously by wgpu, kept until a call can turn them into an error.
#[derive(Default)]
struct Faults {
    lost: Mutex<Option<String>>,
    uncaptured: Mutex<Option<String>>,
}

/// The device ran out of memory while doing what the message says.
#[derive(Debug, thiserror::Error)]
#[error("GPU engine: out of device memory while {0}")]
pub(crate) struct OutOfMemory(String);

/// A device and queue with the engine's fault handling.
pub(crate) struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub budget: Budget,
    faults: Arc<Faults>,
}

impl Gpu {
    pub fn new(choice: AdapterChoice) -> anyhow::Result<Gpu> {
        let all = adapters();
        let adapter = all
            .iter()
            .filter_map(|a| rank(a.get_info().device_type, choice).map(|r| (r, a)))
            .min_by_key(|&(r, _)| r)
            .map(|(_, a)| a);
        let Some(adapter) = adapter else {
            let seen: Vec<String> = all.iter().map(|a| format!("{} ({:?})", a.get_info().name, a.get_info().device_type)).collect();
            anyhow::bail!(match choice {
                AdapterChoice::HardwareOnly => format!("no hardware GPU adapter found (adapters seen: {})", if seen.is_empty() { "none".into() } else { seen.join(", ") }),
                AdapterChoice::Any => "no Vulkan/Metal/DX12 adapter found; on Linux `apt-get install mesa-vulkan-drivers libvulkan1` provides a CPU one (lavapipe)".into(),
            });
        };
        let info = adapter.get_info();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("aocbench"),
            required_limits: required_limits(adapter)?,
            ..Default::default()
        }))
        .map_err(|e| anyhow::anyhow!("GPU engine: cannot open {} ({}): {e}", info.name, info.backend))?;
        let faults = Arc::new(Faults::default());
        let sink = faults.clone();
        device.set_device_lost_callback(move |reason, message| {
            *sink.lost.lock().unwrap() = Some(format!("{reason:?}: {message}"));
        });
        let sink = faults.clone();
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            sink.uncaptured.lock().unwrap().get_or_insert_with(|| error.to_string());
        }));
        let limits = device.limits();
        let budget = Budget {
            binding_bytes: limits.max_storage_buffer_binding_size.min(limits.max_buffer_size),
            workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
        };
        Ok(Gpu { device, queue, info, budget, faults })
    }

    /// Runs `f` with out-of-memory, validation and internal errors captured; the first one
    /// becomes an error saying that `what` failed.
    pub fn checked<T>(&self, what: &str, f: impl FnOnce() -> T) -> anyhow::Result<T> {
        let scopes = [wgpu::ErrorFilter::OutOfMemory, wgpu::ErrorFilter::Validation, wgpu::ErrorFilter::Internal]
            .map(|filter| self.device.push_error_scope(filter));
        let value = f();
        // Scopes pop innermost first.
        let errors: Vec<wgpu::Error> = scopes.into_iter().rev().filter_map(|scope| pollster::block_on(scope.pop())).collect();
        // A lost device fails every call; say so rather than what failed as a consequence.
        self.healthy()?;
        // Running out of memory is the actionable cause; other errors may follow from it.
        if errors.iter().any(|e| matches!(e, wgpu::Error::OutOfMemory { .. })) {
            return Err(OutOfMemory(what.to_string()).into());
        }
        match errors.first() {
            Some(error) => anyhow::bail!("GPU engine: {what} failed: {}", chain(error)),
            None => Ok(value),
        }
    }

    /// An error if the device was lost or reported an error no scope caught.
    pub fn healthy(&self) -> anyhow::Result<()> {
        // Device loss is reported from polls; a non-blocking one delivers any pending report
        // (and has no wait that could fail).
        let _ = self.poll(wgpu::PollType::Poll)?;
        if let Some(lost) = self.faults.lost.lock().unwrap().as_ref() {
            anyhow::bail!("GPU engine: the device was lost ({lost})");
        }
        if let Some(error) = self.faults.uncaptured.lock().unwrap().take() {
            anyhow::bail!("GPU engine: device error: {error}");
        }
        Ok(())
    }

    /// `Device::poll`, with the panic wgpu raises when the device fails during a poll turned
    /// into an error.
    fn poll(&self, poll: wgpu::PollType) -> anyhow::Result<Result<wgpu::PollStatus, wgpu::PollError>> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.device.poll(poll)))
            .map_err(|_| anyhow::anyhow!("GPU engine: the device failed (see the panic message above)"))
    }

    /// Maps `buffer` for reading once `submission` is done, waiting at most `timeout`, and hands
    /// its bytes to `read`.
    pub fn read_back<T>(&self, buffer: &wgpu::Buffer, submission: wgpu::SubmissionIndex, timeout: Duration, read: impl FnOnce(&[u8]) -> T) -> anyhow::Result<T> {
        let (sender, receiver) = mpsc::channel();
        buffer.map_async(wgpu::MapMode::Read, .., move |result| drop(sender.send(result)));
        let waited = self.poll(wgpu::PollType::Wait { submission_index: Some(submission), timeout: Some(timeout) })?;
        self.healthy()?;
        match waited {
            Err(wgpu::PollError::Timeout) => anyhow::bail!(
                "GPU engine: the batch did not finish within {timeout:.1?} (set AOCBENCH_GPU_TIMEOUT_S to allow longer)"
            ),
            Err(error) => anyhow::bail!("GPU engine: waiting for the batch failed: {}", chain(&error)),
            Ok(_) => {}
        }
        match receiver.try_recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => anyhow::bail!("GPU engine: reading the results back failed: {error}"),
            Err(_) => anyhow::bail!("GPU engine: the batch finished but its results never became readable"),
        }
        let value = read(&buffer.get_mapped_range(..)?);
        buffer.unmap();
        Ok(value)
    }
}

/// An error and its sources on one line (wgpu keeps the details in the sources).
fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message += &format!(": {cause_text}");
        }
        source = cause.source();
    }
    message
}

/// WebGPU's default limits (or the adapter's, where lower), raised to the adapter's maxima for
/// the sizes the engine plans with; an error when the kernels' fixed needs exceed the adapter.
/// (The defaults already cover those needs: 256 invocations, 16 KiB workgroup memory and 8
/// storage buffers.)
fn required_limits(adapter: &wgpu::Adapter) -> anyhow::Result<wgpu::Limits> {
    let available = adapter.limits();
    let name = adapter.get_info().name;
    anyhow::ensure!(
        adapter.get_downlevel_capabilities().flags.contains(wgpu::DownlevelFlags::COMPUTE_SHADERS),
        "GPU engine: {name} has no compute shaders"
    );
    for (what, needed, has) in [
        ("invocations per workgroup", DENSE_WG_SIZE, available.max_compute_invocations_per_workgroup),
        ("bytes of workgroup memory", DENSE_WORKGROUP_BYTES, available.max_compute_workgroup_storage_size),
        ("storage buffers per shader stage", MAX_STORAGE_BUFFERS, available.max_storage_buffers_per_shader_stage),
    ] {
        anyhow::ensure!(has >= needed, "GPU engine: {name} allows {has} {what}, the kernels need {needed}");
    }
    Ok(wgpu::Limits {
        max_storage_buffer_binding_size: available.max_storage_buffer_binding_size,
        max_buffer_size: available.max_buffer_size,
        max_compute_workgroups_per_dimension: available.max_compute_workgroups_per_dimension,
        ..wgpu::Limits::default().or_worse_values_from(&available)
    })
}
