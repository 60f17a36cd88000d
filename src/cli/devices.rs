use clap::Args;

use super::failure::{Failure, Stage};
use super::OutputFormat;
use crate::engine::gpu::list_adapters;
use crate::table::render;

#[derive(Debug, Args)]
pub struct DevicesArgs {
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// Lists the wgpu adapters with backend, type, driver and the limits the GPU engine sizes its
/// work by; says how to get a CPU adapter when there is none. Errors: standard output fails.
pub fn run(args: DevicesArgs) -> Result<(), Failure> {
    list(args).during_work()
}

fn list(args: DevicesArgs) -> anyhow::Result<()> {
    let adapters = list_adapters();
    match args.format {
        OutputFormat::Json => crate::outln!("{}", serde_json::to_string_pretty(&adapters)?),
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(std::io::stdout());
            writer.write_record(["backend", "device_type", "name", "driver", "driver_info", "max_storage_buffer_binding_size_bytes", "max_buffer_size_bytes", "max_compute_workgroups_per_dimension"])?;
            for a in &adapters {
                let l = &a.limits;
                writer.write_record([&a.backend, &a.device_type, &a.name, &a.driver, &a.driver_info, &l.max_storage_buffer_binding_size.to_string(), &l.max_buffer_size.to_string(), &l.max_compute_workgroups_per_dimension.to_string()])?;
            }
            writer.flush()?;
        }
        OutputFormat::Table => {
            if adapters.is_empty() {
                crate::outln!("no wgpu adapter found: `--engine auto` will use the native CPU engine; on Linux, `apt-get install mesa-vulkan-drivers libvulkan1` provides a CPU (lavapipe) adapter for `--engine gpu`");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = adapters
                .iter()
                .map(|a| {
                    let l = &a.limits;
                    vec![a.name.clone(), a.backend.clone(), a.device_type.clone(), format!("{} {}", a.driver, a.driver_info).trim().to_string(), format!("{} MiB", l.max_storage_buffer_binding_size >> 20), format!("{} MiB", l.max_buffer_size >> 20), l.max_compute_workgroups_per_dimension.to_string()]
                })
                .collect();
            crate::out!("{}", render(&["name", "backend", "type", "driver", "max_binding", "max_buffer", "max_workgroups/dim"], &rows));
        }
    }
    Ok(())
}
